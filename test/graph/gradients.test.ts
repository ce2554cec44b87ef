// Every gradient rule in the table passes checkOp (finite differences + forward vs ORT), including broadcasting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GRADIENTS } from '../../src/graph/gradients.js';
import { checkOp, type OpCase } from './check-op.js';

const map = (f: (v: number) => number) => (xs: number[][]): number[] => xs[0].map(f);
const zip = (f: (a: number, b: number) => number) => (xs: number[][]): number[] => xs[0].map((a, i) => f(a, xs[1][i]));

const CASES: OpCase[] = [
  { name: 'add', inputs: [{ dims: [2, 3] }, { dims: [2, 3] }], build: (g, [a, b]) => g.add(a, b), reference: zip((a, b) => a + b) },
  { name: 'add-broadcast-bias', inputs: [{ dims: ['N', 3], shape: [4, 3] }, { dims: [3] }], build: (g, [a, b]) => g.add(a, b) },
  { name: 'add-broadcast-keep', inputs: [{ dims: [2, 1, 3] }, { dims: [4, 1] }], build: (g, [a, b]) => g.add(a, b) },
  { name: 'sub-broadcast', inputs: [{ dims: [3] }, { dims: [2, 3] }], build: (g, [a, b]) => g.sub(a, b) },
  { name: 'mul-broadcast', inputs: [{ dims: [2, 3] }, { dims: [2, 1] }], build: (g, [a, b]) => g.mul(a, b) },
  { name: 'mul-same', inputs: [{ dims: [2, 3] }], build: (g, [a]) => g.mul(a, a), reference: map((a) => a * a) },
  { name: 'div-broadcast', inputs: [{ dims: [2, 3] }, { dims: [3], low: 0.5, high: 2 }], build: (g, [a, b]) => g.div(a, b) },
  { name: 'pow', inputs: [{ dims: [2, 3], low: 0.2, high: 2 }], build: (g, [a]) => g.pow(a, 3), reference: map((a) => a ** 3) },
  { name: 'pow-tensor-exponent', inputs: [{ dims: [2, 3], low: 0.2, high: 2 }, { dims: [1] }], build: (g, [a, p]) => g.pow(a, p) },
  { name: 'neg', inputs: [{ dims: [4] }], build: (g, [a]) => g.neg(a), reference: map((a) => -a) },
  { name: 'abs', inputs: [{ dims: [4] }], build: (g, [a]) => g.abs(a), reference: map(Math.abs) },
  { name: 'identity', inputs: [{ dims: [4] }], build: (g, [a]) => g.identity(a), reference: map((a) => a) },
  { name: 'max-broadcast', inputs: [{ dims: [2, 3] }, { dims: [3] }], build: (g, [a, b]) => g.max(a, b) },
  { name: 'min', inputs: [{ dims: [4] }, { dims: [4] }], build: (g, [a, b]) => g.min(a, b), reference: zip(Math.min) },
  { name: 'relu', inputs: [{ dims: [3, 4] }], build: (g, [a]) => g.relu(a), reference: map((a) => Math.max(a, 0)) },
  { name: 'sigmoid', inputs: [{ dims: [5] }], build: (g, [a]) => g.sigmoid(a), reference: map((a) => 1 / (1 + Math.exp(-a))) },
  { name: 'tanh', inputs: [{ dims: [5] }], build: (g, [a]) => g.tanh(a), reference: map(Math.tanh) },
  { name: 'exp', inputs: [{ dims: [5] }], build: (g, [a]) => g.exp(a), reference: map(Math.exp) },
  { name: 'log', inputs: [{ dims: [5], low: 0.2, high: 3 }], build: (g, [a]) => g.log(a), reference: map(Math.log) },
  { name: 'sqrt', inputs: [{ dims: [5], low: 0.2, high: 3 }], build: (g, [a]) => g.sqrt(a), reference: map(Math.sqrt) },
  { name: 'softplus', inputs: [{ dims: [5] }], build: (g, [a]) => g.softplus(a), reference: map((a) => Math.log1p(Math.exp(a))) },
  { name: 'softmax', inputs: [{ dims: [2, 4] }], build: (g, [a]) => g.softmax(a, -1) },
  { name: 'softmax-axis0', inputs: [{ dims: [3, 2] }], build: (g, [a]) => g.softmax(a, 0) },
  { name: 'log-softmax', inputs: [{ dims: [2, 4] }], build: (g, [a]) => g.logSoftmax(a, 1) },
  { name: 'clip', inputs: [{ dims: [8] }], build: (g, [a]) => g.clip(a, -0.5, 0.7), reference: map((a) => Math.min(Math.max(a, -0.5), 0.7)) },
  {
    name: 'where',
    inputs: [{ dims: [2, 3] }, { dims: [2, 3] }, { dims: [3] }],
    build: (g, [c, a, b]) => g.where(g.greater(c, 0), a, b),
  },
  { name: 'cast-float', inputs: [{ dims: [3], dtype: 'float32' }], build: (g, [a]) => g.cast(a, 'float64') },
  { name: 'matmul-2d', inputs: [{ dims: ['N', 3], shape: [4, 3] }, { dims: [3, 2] }], build: (g, [a, b]) => g.matmul(a, b) },
  { name: 'matmul-3d-2d', inputs: [{ dims: [2, 3, 4] }, { dims: [4, 2] }], build: (g, [a, b]) => g.matmul(a, b) },
  { name: 'matmul-batch-broadcast', inputs: [{ dims: [2, 3, 4] }, { dims: [1, 4, 2] }], build: (g, [a, b]) => g.matmul(a, b) },
  { name: 'gemm', inputs: [{ dims: [3, 4] }, { dims: [4, 2] }, { dims: [2] }], build: (g, [a, b, c]) => g.gemm(a, b, c) },
  {
    name: 'gemm-trans-alpha-beta',
    inputs: [{ dims: [4, 3] }, { dims: [2, 4] }, { dims: [3, 1] }],
    build: (g, [a, b, c]) => g.gemm(a, b, c, { transA: true, transB: true, alpha: 0.5, beta: 2 }),
  },
  { name: 'reduce-sum', inputs: [{ dims: [2, 3, 4] }], build: (g, [a]) => g.reduceSum(a, [1]) },
  { name: 'reduce-sum-keep', inputs: [{ dims: [2, 3, 4] }], build: (g, [a]) => g.reduceSum(a, [0, 2], true) },
  { name: 'reduce-sum-all', inputs: [{ dims: ['N', 3], shape: [2, 3] }], build: (g, [a]) => g.reduceSum(a) },
  { name: 'reduce-mean', inputs: [{ dims: [2, 3, 4] }], build: (g, [a]) => g.reduceMean(a, [-1]) },
  { name: 'reduce-mean-symbolic', inputs: [{ dims: ['N', 3], shape: [5, 3] }], build: (g, [a]) => g.reduceMean(a, [0], true) },
  { name: 'concat', inputs: [{ dims: [2, 3] }, { dims: [2, 1] }], build: (g, [a, b]) => g.concat([a, b], 1) },
  { name: 'concat-single-symbolic', inputs: [{ dims: ['N', 3], shape: [2, 3] }], build: (g, [a]) => g.mul(g.concat([a], 0), a) },
  { name: 'slice', inputs: [{ dims: [4, 5] }], build: (g, [a]) => g.slice(a, [1, -3], [3, 100], [0, 1]) },
  { name: 'slice-symbolic', inputs: [{ dims: ['N', 5], shape: [3, 5] }], build: (g, [a]) => g.slice(a, [2], [4], [1]) },
  { name: 'slice-symbolic-bounds', inputs: [{ dims: ['N', 3], shape: [4, 3] }], build: (g, [a]) => g.slice(a, [1], [3], [0]) },
  { name: 'split', inputs: [{ dims: [2, 5] }], build: (g, [a]) => g.split(a, [2, 3], 1)[1] },
  {
    name: 'split-both',
    inputs: [{ dims: [4, 2] }],
    build: (g, [a]) => {
      const [p, q] = g.split(a, [1, 3], 0);
      return g.mul(g.reduceSum(p), q);
    },
  },
  {
    name: 'gather-int32',
    inputs: [{ dims: [5, 3] }, { dims: ['N', 2], shape: [3, 2], dtype: 'int32', data: [0, 4, 2, 2, 4, 1] }],
    build: (g, [t, i]) => g.gather(t, i),
  },
  { name: 'gather-int64', inputs: [{ dims: [4, 2] }, { dims: [3], dtype: 'int64', data: [3, 3, 0] }], build: (g, [t, i]) => g.gather(t, i) },
  { name: 'reshape', inputs: [{ dims: ['N', 2, 3], shape: [2, 2, 3] }], build: (g, [a]) => g.reshape(a, [0, -1]) },
  { name: 'transpose', inputs: [{ dims: [2, 3, 4] }], build: (g, [a]) => g.transpose(a, [1, 2, 0]) },
  { name: 'unsqueeze', inputs: [{ dims: [2, 3] }], build: (g, [a]) => g.unsqueeze(a, [0, -1]) },
  { name: 'squeeze', inputs: [{ dims: [2, 1, 3] }], build: (g, [a]) => g.squeeze(a, [1]) },
  { name: 'expand', inputs: [{ dims: [3, 1] }], build: (g, [a]) => g.expand(a, [2, 3, 4]) },
];

/** One check per case, shared by its own test and the coverage test (so neither depends on the other's order). */
const checks = new Map<string, Promise<ReadonlySet<string>>>();
function checked(c: OpCase): Promise<ReadonlySet<string>> {
  if (!checks.has(c.name)) checks.set(c.name, checkOp(c));
  return checks.get(c.name)!;
}

for (const c of CASES) test(`gradient rule: ${c.name}`, async () => { await checked(c); });

test('float32 gradient check with a wider epsilon agrees too', async () => {
  await checkOp({ name: 'mlp-f32', inputs: [{ dims: [3, 4] }, { dims: [4, 2] }], build: (g, [a, b]) => g.tanh(g.matmul(a, b)) }, 'float32');
});

test('every rule in the gradient table passed a finite-difference check in some case', async () => {
  const results = await Promise.allSettled(CASES.map(checked));
  const passed = new Set(results.flatMap((r) => (r.status === 'fulfilled' ? [...r.value] : [])));
  const missing = Object.keys(GRADIENTS).filter((op) => !passed.has(op));
  assert.deepEqual(missing, []);
});
