// The shared encoder: vocab indices (1-based, 0 unknown), FNV-1a buckets, defaults, model input layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateColumn, categoryIndex, encodeValueInto, fnv1a32, inputLayout } from '../../src/schema/encoder.js';
import { parseFeatureSpec } from '../../src/schema/feature-spec.js';
import type { CategoricalFeature } from '../../src/schema/feature-spec.js';

const spec = parseFeatureSpec({
  version: 1,
  features: [
    { name: 'cat', side: 'context', type: 'categorical', source: 'request', vocab: ['a', 'b', 7], default: 'b' },
    { name: 'brand', side: 'item', type: 'categorical', source: 'store', hashBuckets: 100 },
    { name: 'price', side: 'item', type: 'numeric', source: 'request', default: 9 },
    { name: 'vec', side: 'cross', type: 'vector', source: 'store', dim: 3 },
  ],
});
const [cat, brand, price, vec] = spec.features;

test('FNV-1a 32-bit matches the reference values', () => {
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
});

test('categorical: vocab is 1-based with 0 for unknown; integers and strings share keys; hashing is mod buckets', () => {
  assert.deepEqual(['a', 'b', 7, '7', 'zzz'].map((v) => categoryIndex(cat as CategoricalFeature, v)), [1, 2, 3, 3, 0]);
  assert.equal(categoryIndex(brand as CategoricalFeature, 'acme'), fnv1a32('acme') % 100);
});

test('missing values take the default, else 0 / unknown / zeros', () => {
  const out = new Int32Array(1);
  assert.equal(encodeValueInto(cat, undefined, out, 0), null);
  assert.equal(out[0], 2);
  const f = new Float32Array(4).fill(5);
  encodeValueInto(price, null, f, 0);
  encodeValueInto(vec, undefined, f, 1);
  assert.deepEqual([...f], [9, 0, 0, 0]);
  assert.equal(encodeValueInto(brand, undefined, out, 0), null);
  assert.equal(out[0], 0);
});

test('bad values are reported, not encoded', () => {
  const f = new Float32Array(3);
  assert.match(encodeValueInto(price, 'abc', f, 0)!, /expected number, got "abc"/);
  assert.ok(encodeValueInto(price, Infinity, f, 0));
  assert.ok(encodeValueInto(vec, [1, 2], f, 0));
  assert.ok(encodeValueInto(cat, 1.5, new Int32Array(1), 0));
});

test('input layout: context batch 1, item/cross batch N, categorical int32 [batch]', () => {
  assert.deepEqual(inputLayout(cat), { name: 'cat', dtype: 'int32', dims: [1], width: 1 });
  assert.deepEqual(inputLayout(brand), { name: 'brand', dtype: 'int32', dims: ['N'], width: 1 });
  assert.deepEqual(inputLayout(price), { name: 'price', dtype: 'float32', dims: ['N', 1], width: 1 });
  assert.deepEqual(inputLayout(vec), { name: 'vec', dtype: 'float32', dims: ['N', 3], width: 3 });
  assert.ok(allocateColumn(cat, 4) instanceof Int32Array);
  assert.equal(allocateColumn(vec, 4).length, 12);
});
