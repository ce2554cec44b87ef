// The compiled row encoder gives exactly the shared encoder's numbers and problems for every kind of value (no skew).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocateColumn, compileRowEncoder, encodeValueInto } from '../../src/schema/encoder.js';
import type { Feature } from '../../src/schema/feature-spec.js';

const features: Feature[] = [
  { name: 'price', side: 'item', source: 'request', type: 'numeric', default: 7 },
  { name: 'ctr', side: 'item', source: 'request', type: 'numeric' },
  { name: 'brand', side: 'item', source: 'request', type: 'categorical', vocab: ['a', 'b', 'c'] },
  { name: 'shop', side: 'item', source: 'request', type: 'categorical', hashBuckets: 97, default: 'none' },
  { name: 'vec', side: 'item', source: 'request', type: 'vector', dim: 3 },
];

const values: Record<string, unknown[]> = {
  price: [1.5, -0, 0, undefined, null, NaN, Infinity, '3', true],
  ctr: [0.25, undefined, null, -1e30],
  brand: ['a', 'c', 'zz', '', 2, undefined, null, 2.5, {}],
  shop: ['x', 'x', 'shop-1', 12, undefined, null, false],
  vec: [[1, 2, 3], Float32Array.of(4, 5, 6), undefined, null, [1, NaN, 3], [1, 2], 'abc', { length: 3 }, [1, '2', 3]],
};

/** The shared encoder's answer for one value: the encoded words, or the problem. */
function reference(feature: Feature, value: unknown): { words: number[] } | { problem: string } {
  const out = allocateColumn(feature, 1);
  const problem = encodeValueInto(feature, value, out, 0);
  return problem ? { problem } : { words: Array.from(out) };
}

test('every value of every feature type encodes as encodeValueInto does; missing values are counted', () => {
  features.forEach((feature, k) => {
    const encode = compileRowEncoder([feature], 'features');
    const width = feature.type === 'vector' ? feature.dim : 1;
    for (const value of values[feature.name]) {
      const buffer = new ArrayBuffer(width * 4 * 2);
      const f32 = new Float32Array(buffer);
      const i32 = new Int32Array(buffer);
      const missing = new Uint32Array(1);
      // Row 1 of 2 through `at`: the offset arithmetic is exercised too.
      const problem = encode([{ features: { [feature.name]: value } }], 1, [1], f32, i32, [0], missing);
      const want = reference(feature, value);
      const label = `${feature.name} = ${String(value)}`;
      if ('problem' in want) {
        assert.deepEqual(problem, { feature: 0, row: 0, problem: want.problem }, label);
        continue;
      }
      assert.equal(problem, null, label);
      const got = Array.from((feature.type === 'categorical' ? i32 : f32).subarray(width, 2 * width));
      assert.deepEqual(got, want.words, label);
      assert.equal(missing[0], value === undefined || value === null ? 1 : 0, `${label} missing count (feature ${k})`);
    }
  });
});

test('a row without the field, or an absent row, takes every default', () => {
  const encode = compileRowEncoder(features.slice(0, 2));
  const f32 = new Float32Array(4);
  const missing = new Uint32Array(2);
  assert.equal(encode([undefined, {}], 2, null, f32, new Int32Array(f32.buffer), [0, 2], missing), null);
  assert.deepEqual(Array.from(f32), [7, 7, 0, 0]);
  assert.deepEqual(Array.from(missing), [2, 2]);
});
