// Sparse embedding updates: same result as dense SGD; lazy Adam leaves untouched rows alone; misuse is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../src/graph/graph.js';
import { initParam } from '../../src/graph/init.js';
import { createTrainer, type TrainerOptions } from '../../src/graph/trainer.js';
import { hasCode } from '../../src/schema/errors.js';
import { createRng } from '../../src/util/random.js';

const ROWS = 12;
const DIM = 3;

/** Two id features sharing one table (duplicate ids within and across them), summed then scored. */
async function train(options: TrainerOptions, steps: number): Promise<{ table: Float32Array; head: Float32Array }> {
  const rng = createRng(9);
  const g = new Graph('emb');
  const a = g.input('a', 'int32', ['N']);
  const b = g.input('b', 'int64', ['N']);
  const y = g.input('y', 'float32', ['N', 1]);
  const table = g.param('table', [ROWS, DIM], initParam([ROWS, DIM], 'normal', rng, { std: 0.5 }));
  const head = g.param('head', [DIM, 1], initParam([DIM, 1], 'xavier', rng));
  const h = g.tanh(g.add(g.gather(table, a), g.gather(table, b)));
  const loss = g.reduceMean(g.pow(g.sub(g.matmul(h, head), y), 2));
  const trainer = await createTrainer(g, loss, options);
  for (let s = 0; s < steps; s++) {
    const ids = Int32Array.from({ length: 6 }, () => rng.int(ROWS / 2)); // rows >= 6 are never touched
    await trainer.step({
      a: { data: ids, dims: [6] },
      b: { data: BigInt64Array.from(ids, (i) => BigInt((i * 5) % (ROWS / 2))), dims: [6] },
      y: { data: Float32Array.from(ids, (i) => (i % 2 ? 1 : -1)), dims: [6, 1] },
    });
  }
  await trainer.dispose();
  return { table: g.params[0].data, head: g.params[1].data };
}

test('sparse SGD updates equal dense SGD updates', async () => {
  const dense = await train({ optimizer: 'sgd', lr: 0.3 }, 20);
  const sparse = await train({ optimizer: 'sgd', lr: 0.3, sparse: ['table'] }, 20);
  dense.table.forEach((v, i) => assert.ok(Math.abs(v - sparse.table[i]) < 1e-5, `table[${i}] ${v} vs ${sparse.table[i]}`));
  dense.head.forEach((v, i) => assert.ok(Math.abs(v - sparse.head[i]) < 1e-5, `head[${i}]`));
});

test('lazy AdamW changes only the rows a batch touched (dense AdamW decays them all)', async () => {
  const before = (await train({ lr: 0.05, sparse: ['table'] }, 0)).table;
  const lazy = (await train({ lr: 0.05, weightDecay: 0.1, sparse: ['table'] }, 10)).table;
  const dense = (await train({ lr: 0.05, weightDecay: 0.1 }, 10)).table;
  const changed = (t: Float32Array) => Array.from({ length: ROWS }, (_, r) => [0, 1, 2].some((c) => before[r * DIM + c] !== t[r * DIM + c]));
  assert.deepEqual(changed(lazy), Array.from({ length: ROWS }, (_, r) => r < ROWS / 2));
  assert.deepEqual(changed(dense), new Array(ROWS).fill(true));
});

test('a table read by anything but gather cannot be sparse', async () => {
  const g = new Graph('bad');
  const ids = g.input('ids', 'int32', [2]);
  const t = g.param('t', [4, 2], new Float32Array(8));
  const loss = g.add(g.reduceSum(g.gather(t, ids)), g.reduceSum(t));
  await assert.rejects(createTrainer(g, loss, { sparse: ['t'] }), (err: unknown) => hasCode(err, 'ERR_AUTOFAS_OPTION'));
});
