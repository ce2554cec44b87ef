// grad() refuses what it cannot differentiate with coded errors naming the op, and honours stopGradient.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grad } from '../../src/graph/autodiff.js';
import { encodeModel } from '../../src/graph/builder.js';
import { Graph } from '../../src/graph/graph.js';
import { createSession } from '../../src/graph/runtime.js';
import { AutofasError, hasCode } from '../../src/schema/errors.js';

test('an op without a rule is ERR_AUTOFAS_NO_GRADIENT naming the op', () => {
  const g = new Graph('g');
  const x = g.input('x', 'float32', [2, 3]);
  const y = g.emit('Erf', [x], [{ dtype: 'float32', dims: [2, 3] }])[0];
  assert.throws(
    () => grad(g, g.reduceSum(y), [x]),
    (err: unknown) => hasCode(err, 'ERR_AUTOFAS_NO_GRADIENT') && (err as AutofasError).details.op === 'Erf' && /Erf/.test((err as Error).message),
  );
});

test('gather along axis 1 has no gradient', () => {
  const g = new Graph('g');
  const t = g.input('t', 'float32', [2, 3]);
  const i = g.input('i', 'int64', [2]);
  assert.throws(() => grad(g, g.reduceSum(g.gather(t, i, 1)), [t]), (err: unknown) => hasCode(err, 'ERR_AUTOFAS_NO_GRADIENT'));
});

test('a non-scalar loss is refused', () => {
  const g = new Graph('g');
  const x = g.input('x', 'float32', [2]);
  assert.throws(() => grad(g, g.relu(x), [x]), (err: unknown) => hasCode(err, 'ERR_AUTOFAS_GRAPH'));
});

test('a value the loss does not depend on gets a zero gradient', () => {
  const g = new Graph('g');
  const x = g.input('x', 'float32', [2]);
  const w = g.param('w', [3], new Float32Array(3));
  const [dw] = grad(g, g.reduceSum(x), [w]);
  assert.deepEqual(dw.dims, [3]);
  assert.equal(g.producer(dw)?.opType, 'ConstantOfShape');
});

test('stopGradient blocks the backward pass but not the forward (straight-through)', async () => {
  const g = new Graph('g');
  const a = g.input('a', 'float32', [3]);
  const b = g.input('b', 'float32', [3]);
  const y = g.add(g.mul(g.stopGradient(a), b), a);
  const [da, db] = grad(g, g.reduceSum(y), [a, b]);
  const session = await createSession(encodeModel(g.toModel({ outputs: [g.identity(y), da, db] })));
  const out = await session.run({ a: { data: Float32Array.from([1, 2, 3]), dims: [3] }, b: { data: Float32Array.from([4, 5, 6]), dims: [3] } });
  await session.dispose();
  const [fy, fa, fb] = session.outputNames.map((n) => Array.from(out[n].data as Float32Array));
  assert.deepEqual(fy, [5, 12, 21]);
  assert.deepEqual(fa, [1, 1, 1], 'only the direct path reaches a');
  assert.deepEqual(fb, [1, 2, 3]);
});
