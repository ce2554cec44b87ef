// Composite losses and layers: forward values match JS references and their gradients pass checkOp.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../src/graph/graph.js';
import { dense, embedding } from '../../src/graph/layers.js';
import { bceWithLogitsLoss, mseLoss, softmaxCrossEntropyLoss } from '../../src/graph/losses.js';
import { createRng } from '../../src/util/random.js';
import { checkOp } from './check-op.js';

const softmax = (row: number[]): number[] => {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

test('mse loss', async () => {
  await checkOp({
    name: 'mse',
    inputs: [{ dims: [2, 3] }, { dims: [2, 3] }],
    build: (g, [p, t]) => mseLoss(g, p, t),
    reference: ([p, t]) => [p.reduce((s, v, i) => s + (v - t[i]) ** 2, 0) / p.length],
  });
});

test('bce with logits is stable for large logits and matches the textbook form', async () => {
  await checkOp({
    name: 'bce',
    inputs: [{ dims: [6], data: [-40, -1.5, -0.2, 0.3, 2, 40] }, { dims: [6], low: 0, high: 1 }],
    build: (g, [z, y]) => bceWithLogitsLoss(g, z, y),
    reference: ([z, y]) => [z.reduce((s, v, i) => s + Math.max(v, 0) - v * y[i] + Math.log1p(Math.exp(-Math.abs(v))), 0) / z.length],
  });
});

test('listwise softmax cross-entropy', async () => {
  await checkOp({
    name: 'listwise',
    inputs: [{ dims: [2, 4] }, { dims: [2, 4], low: 0, high: 1 }],
    build: (g, [z, p]) => softmaxCrossEntropyLoss(g, z, p, 1),
    reference: ([z, p]) => {
      let total = 0;
      for (let r = 0; r < 2; r++) {
        const q = softmax(z.slice(r * 4, r * 4 + 4));
        for (let j = 0; j < 4; j++) total -= p[r * 4 + j] * Math.log(q[j]);
      }
      return [total / 2];
    },
  });
});

test('dense and embedding create named, seeded params with inferred dims', () => {
  const build = (): Graph => {
    const g = new Graph('layers');
    const ids = g.input('ids', 'int64', ['N', 3]);
    const e = g.reshape(embedding(g, ids, 10, 4, { name: 'emb', rng: createRng(3) }), [0, -1]);
    assert.deepEqual(e.dims, ['N', 12]);
    const h = dense(g, e, 5, { name: 'fc1', rng: createRng(4), activation: 'relu' });
    assert.deepEqual(h.dims, ['N', 5]);
    return g;
  };
  const a = build();
  assert.deepEqual(a.params.map((p) => [p.value.name, ...p.value.dims]), [['emb', 10, 4], ['fc1.w', 12, 5], ['fc1.b', 5]]);
  assert.deepEqual(a.params[1].data, build().params[1].data, 'same seed, same weights');
});
