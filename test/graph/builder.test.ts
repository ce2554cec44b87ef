// The builder encodes deterministic ONNX bytes that decode back to the same inputs, outputs and initializers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  attrFloat,
  decodeModel,
  encodeModel,
  makeGraph,
  makeModel,
  makeNode,
  makeTensor,
  makeValueInfo,
  tensorData,
  valueInfoShape,
} from '../../src/graph/builder.js';
import { Graph } from '../../src/graph/graph.js';
import { createSession } from '../../src/graph/runtime.js';
import { hasCode } from '../../src/schema/errors.js';

function buildMlp(): Graph {
  const g = new Graph('mlp');
  const x = g.input('x', 'float32', ['N', 3]);
  const w = g.param('w', [3, 2], Float32Array.from([1, 2, 3, 4, 5, 6]));
  const b = g.param('b', [2], Float32Array.from([0.5, -0.5]));
  g.output(g.softmax(g.relu(g.add(g.matmul(x, w), b)), -1), 'probs');
  return g;
}

test('the same graph gives the same bytes twice', () => {
  const a = encodeModel(buildMlp().toModel());
  const b = encodeModel(buildMlp().toModel());
  assert.deepEqual(a, b);
  assert.deepEqual(encodeModel(decodeModel(a)), a, 're-encoding a decoded model is stable');
});

test('attributes are sorted by name whatever the insertion order', () => {
  const one = makeNode('Gemm', ['a', 'b'], ['y'], { transB: 1, alpha: attrFloat(2), beta: 0.5 });
  const two = makeNode('Gemm', ['a', 'b'], ['y'], { beta: 0.5, alpha: attrFloat(2), transB: 1 });
  assert.deepEqual(one, two);
  assert.deepEqual(one.attribute.map((a) => a.name), ['alpha', 'beta', 'transB']);
});

test('decodeModel reads inputs, outputs (symbolic dims) and initializers back', () => {
  const model = decodeModel(encodeModel(buildMlp().toModel({ producer: 'test', metadata: { b: '2', a: '1' } })));
  assert.deepEqual(valueInfoShape(model.graph.input[0]), { name: 'x', dtype: 'float32', dims: ['N', 3] });
  assert.deepEqual(valueInfoShape(model.graph.output[0]), { name: 'probs', dtype: 'float32', dims: ['N', 2] });
  const w = model.graph.initializer.find((t) => t.name === 'w')!;
  assert.deepEqual(Array.from(tensorData(w) as Float32Array), [1, 2, 3, 4, 5, 6]);
  assert.equal(model.opset_import[0].version, 18);
  assert.equal(model.producer_name, 'test');
  assert.deepEqual(model.metadata_props.map((m) => m.key), ['a', 'b']);
});

test("params: 'inputs' turns weights into graph inputs instead of initializers", () => {
  const model = decodeModel(encodeModel(buildMlp().toModel({ params: 'inputs' })));
  assert.deepEqual(model.graph.input.map((i) => i.name), ['x', 'w', 'b']);
  assert.ok(!model.graph.initializer.some((t) => t.name === 'w'));
});

test('hand-made nodes run in onnxruntime', async () => {
  const graph = makeGraph(
    [makeNode('Add', ['x', 'c'], ['y'])],
    'add',
    [makeValueInfo('x', 'int64', ['N'])],
    [makeValueInfo('y', 'int64', ['N'])],
    [makeTensor('c', 'int64', [1], [40])],
  );
  const session = await createSession(encodeModel(makeModel(graph, { opset: 17 })));
  const out = await session.run({ x: { data: BigInt64Array.from([1n, 2n]), dims: [2] } });
  await session.dispose();
  assert.deepEqual(Array.from(out.y.data as BigInt64Array), [41n, 42n]);
});

test('invalid builder input is a coded error', () => {
  const cases: [string, () => unknown][] = [
    ['opset below 17', () => makeModel(makeGraph([], 'g', [], []), { opset: 16 })],
    ['tensor size mismatch', () => makeTensor('t', 'float32', [2, 2], [1, 2, 3])],
    ['not a model', () => decodeModel(Uint8Array.from([0xff, 0xff, 0xff]))],
    ['mixed dtypes', () => {
      const g = new Graph('g');
      g.mul(g.input('a', 'float32', [2]), g.input('b', 'float64', [2]));
    }],
    ['non-broadcastable shapes', () => {
      const g = new Graph('g');
      g.add(g.input('a', 'float32', [2, 3]), g.input('b', 'float32', [4]));
    }],
  ];
  for (const [what, run] of cases) {
    assert.throws(run, (err: unknown) => hasCode(err, 'ERR_AUTOFAS_GRAPH'), what);
  }
  const g = new Graph('g');
  g.input('x', 'float32', [1]);
  assert.throws(() => g.param('x', [1], new Float32Array(1)), (err: unknown) => hasCode(err, 'ERR_AUTOFAS_GRAPH'));
});
