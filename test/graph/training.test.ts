// The trainer learns XOR with a small MLP and fits a linear regression to its least-squares loss; export matches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeModel, tensorData } from '../../src/graph/builder.js';
import { Graph, type Value } from '../../src/graph/graph.js';
import { initParam } from '../../src/graph/init.js';
import { minibatches } from '../../src/graph/batches.js';
import { createSession } from '../../src/graph/runtime.js';
import { createEvaluator, exportInference } from '../../src/graph/evaluate.js';
import { createTrainer } from '../../src/graph/trainer.js';
import { createRng } from '../../src/util/random.js';

function bceWithLogits(g: Graph, logits: Value, labels: Value): Value {
  return g.reduceMean(g.sub(g.softplus(logits), g.mul(labels, logits)));
}

test('a 2-8-1 MLP learns XOR', async () => {
  const rng = createRng(7);
  const g = new Graph('xor');
  const x = g.input('x', 'float32', ['N', 2]);
  const y = g.input('y', 'float32', ['N', 1]);
  const w1 = g.param('w1', [2, 8], initParam([2, 8], 'xavier', rng));
  const b1 = g.param('b1', [8], initParam([8], 'zeros', rng));
  const w2 = g.param('w2', [8, 1], initParam([8, 1], 'xavier', rng));
  const b2 = g.param('b2', [1], initParam([1], 'zeros', rng));
  const logits = g.add(g.matmul(g.tanh(g.add(g.matmul(x, w1), b1)), w2), b2);
  const score = g.output(g.sigmoid(logits), 'score');
  const trainer = await createTrainer(g, bceWithLogits(g, logits, y), { lr: 0.05 });
  const feeds = { x: { data: Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]), dims: [4, 2] }, y: { data: Float32Array.from([0, 1, 1, 0]), dims: [4, 1] } };
  let loss = Infinity;
  for (let i = 0; i < 400; i++) loss = await trainer.step(feeds);
  await trainer.dispose();
  assert.ok(loss < 0.05, `loss ${loss}`);
  const serving = await createSession(exportInference(g, [score]));
  const out = await serving.run({ x: feeds.x });
  await serving.dispose();
  assert.deepEqual(Array.from(out.score.data as Float32Array, (p) => (p > 0.5 ? 1 : 0)), [0, 1, 1, 0]);
});

/** Least-squares MSE of y on [X, 1] via the normal equations (4x4, Gaussian elimination). */
function leastSquaresMse(xs: Float32Array, ys: Float32Array, n: number, p: number): number {
  const k = p + 1;
  const a = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (let r = 0; r < n; r++) {
    const row = [...xs.subarray(r * p, r * p + p), 1];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) a[i][j] += row[i] * row[j];
      a[i][k] += row[i] * ys[r];
    }
  }
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const f = a[j][i] / a[i][i];
      for (let c = i; c <= k; c++) a[j][c] -= f * a[i][c];
    }
  }
  const beta = new Array<number>(k).fill(0);
  for (let i = k - 1; i >= 0; i--) beta[i] = (a[i][k] - a[i].slice(i + 1, k).reduce((s, v, j) => s + v * beta[i + 1 + j], 0)) / a[i][i];
  let sse = 0;
  for (let r = 0; r < n; r++) {
    let pred = beta[p];
    for (let j = 0; j < p; j++) pred += beta[j] * xs[r * p + j];
    sse += (pred - ys[r]) ** 2;
  }
  return sse / n;
}

test('linear regression with minibatches reaches the least-squares loss', async () => {
  const rng = createRng(11);
  const n = 512;
  const p = 3;
  const xs = Float32Array.from({ length: n * p }, () => rng.normal());
  const ys = Float32Array.from({ length: n }, (_, r) => 1.5 * xs[r * p] - 2 * xs[r * p + 1] + 0.5 * xs[r * p + 2] + 0.3 + 0.1 * rng.normal());
  const g = new Graph('regression');
  const x = g.input('x', 'float32', ['N', p]);
  const y = g.input('y', 'float32', ['N']);
  const w = g.param('w', [p, 1], initParam([p, 1], 'zeros', rng));
  const b = g.param('b', [1], initParam([1], 'zeros', rng));
  const pred = g.squeeze(g.gemm(x, w, b), [1]);
  const loss = g.reduceMean(g.pow(g.sub(pred, y), 2));
  const trainer = await createTrainer(g, loss, { optimizer: 'sgd', lr: 0.1, momentum: 0.5 });
  const columns = { x: { data: xs, width: p }, y: { data: ys } };
  await trainer.fit(() => minibatches(columns, { batchSize: 64, rng }), { epochs: 30 });
  const full = await trainer.step({ x: { data: xs, dims: [n, p] }, y: { data: ys, dims: [n] } });
  await trainer.dispose();
  const best = leastSquaresMse(xs, ys, n, p);
  assert.ok(full < best * 1.02 + 1e-5, `loss ${full} vs least squares ${best}`);
  assert.ok(Math.abs(g.params[0].data[0] - 1.5) < 0.05, `w0 ${g.params[0].data[0]}`);
});

test('exported initializers carry the trained values', async () => {
  const g = new Graph('export');
  const x = g.input('x', 'float32', ['N', 2]);
  const w = g.param('w', [2, 1], Float32Array.from([0, 0]));
  const loss = g.reduceMean(g.pow(g.sub(g.matmul(x, w), 1), 2));
  const out = g.output(g.matmul(x, w), 'out');
  const trainer = await createTrainer(g, loss, { optimizer: 'sgd', lr: 0.1 });
  await trainer.step({ x: { data: Float32Array.from([1, 2]), dims: [1, 2] } });
  await trainer.dispose();
  const model = decodeModel(exportInference(g, [out]));
  assert.deepEqual(Array.from(tensorData(model.graph.initializer.find((t) => t.name === 'w')!) as Float32Array), Array.from(g.params[0].data));
  assert.ok(g.params[0].data[0] > 0);
  assert.deepEqual(model.graph.input.map((i) => i.name), ['x']);
  assert.deepEqual(model.graph.node.map((node) => node.op_type), ['MatMul', 'Identity'], 'backward nodes are pruned');
});

test('extras are fetched each step and the evaluator sees the live params', async () => {
  const g = new Graph('extras');
  const x = g.input('x', 'float32', ['N', 1]);
  const w = g.param('w', [1, 1], Float32Array.from([2]));
  const pred = g.matmul(x, w);
  const err = g.reduceMean(g.abs(g.sub(pred, 1)));
  const trainer = await createTrainer(g, g.reduceMean(g.pow(g.sub(pred, 1), 2)), { optimizer: 'sgd', lr: 0.25, extras: { err } });
  const evaluator = await createEvaluator(g, [pred]);
  const feeds = { x: { data: Float32Array.from([1]), dims: [1, 1] } };
  await trainer.step(feeds);
  assert.deepEqual(Array.from(trainer.extras.err), [1], 'extras hold the pre-update value');
  assert.equal(g.params[0].data[0], 1.5);
  assert.deepEqual(Array.from((await evaluator.run(feeds))[pred.name].data as Float32Array), [1.5]);
  await Promise.all([trainer.dispose(), evaluator.dispose()]);
});

test('minibatches gather rows of every column in shuffled order without losing any', () => {
  const ids = Int32Array.from({ length: 10 }, (_, i) => i);
  const vec = Float32Array.from({ length: 20 }, (_, i) => i);
  const batches = [...minibatches({ ids: { data: ids }, vec: { data: vec, width: 2 } }, { batchSize: 4, rng: createRng(5) })];
  assert.deepEqual(batches.map((b) => b.ids.dims), [[4], [4], [2]]);
  assert.deepEqual(batches[0].vec.dims, [4, 2]);
  const seen = batches.flatMap((b) => Array.from((b.ids as { data: Int32Array }).data));
  assert.deepEqual([...seen].sort((a, b) => a - b), Array.from(ids));
  assert.notDeepEqual(seen, Array.from(ids), 'shuffled');
  for (const b of batches) {
    const rows = (b.ids as { data: Int32Array }).data;
    const v = (b.vec as { data: Float32Array }).data;
    rows.forEach((r, i) => assert.deepEqual([v[2 * i], v[2 * i + 1]], [2 * r, 2 * r + 1]));
  }
});

test('two trainings with one seed export identical bytes', async () => {
  const run = async (): Promise<Uint8Array> => {
    const rng = createRng(21);
    const g = new Graph('repeat');
    const x = g.input('x', 'float32', ['N', 4]);
    const y = g.input('y', 'float32', ['N', 1]);
    const w = g.param('w', [4, 1], initParam([4, 1], 'xavier', rng));
    const out = g.output(g.sigmoid(g.matmul(x, w)), 'p');
    const trainer = await createTrainer(g, bceWithLogits(g, g.matmul(x, w), y), { lr: 0.1 });
    const columns = { x: { data: Float32Array.from({ length: 64 }, () => rng.normal()), width: 4 }, y: { data: Float32Array.from({ length: 16 }, () => rng.int(2)), rowDims: [1] } };
    await trainer.fit(() => minibatches(columns, { batchSize: 5, rng }), { epochs: 3 });
    await trainer.dispose();
    return exportInference(g, [out]);
  };
  assert.deepEqual(await run(), await run());
});
