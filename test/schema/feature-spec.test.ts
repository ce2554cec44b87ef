// Feature spec: valid specs round-trip through JSON and files; a table of invalid specs is rejected with its code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { featureCostUs, featureWidth, loadFeatureSpec, parseFeatureSpec } from '../../src/schema/feature-spec.js';
import { worldSpecJson } from '../../src/fixtures/world-spec.js';

const valid = {
  version: 1,
  features: [
    { name: 'ctr_7d', side: 'item', type: 'numeric', source: 'store', costUs: 40, default: 0.01 },
    { name: 'query_cat', side: 'context', type: 'categorical', source: 'request', vocab: ['a', 'b', 3] },
    { name: 'brand', side: 'item', type: 'categorical', source: 'store', hashBuckets: 512, default: 'none' },
    { name: 'user_vec', side: 'context', type: 'vector', source: 'store', dim: 2, default: [0, 0] },
    { name: 'match', side: 'cross', type: 'numeric', source: 'request' },
  ],
};
const dir = mkdtempSync(join(tmpdir(), 'autofas-spec-'));

test('feature spec round-trips through JSON text and a file', async () => {
  const spec = parseFeatureSpec(valid);
  assert.deepEqual(parseFeatureSpec(JSON.parse(JSON.stringify(spec))), spec);
  const path = join(dir, 'features.json');
  writeFileSync(path, JSON.stringify(valid));
  assert.deepEqual(await loadFeatureSpec(path), spec);
  assert.deepEqual(spec.features.map(featureWidth), [1, 1, 1, 2, 1]);
  assert.deepEqual(spec.features.map(featureCostUs), [40, 0, 0, 0, 0]);
});

test('the fixture world spec is valid', () => {
  assert.equal(parseFeatureSpec(JSON.parse(worldSpecJson())).features.length, 21);
});

const f0 = valid.features[0];
const withFeature = (patch: Record<string, unknown>, base: object = f0) => ({ version: 1, features: [{ ...base, ...patch }] });
const invalid: [string, unknown][] = [
  ['null', null],
  ['array', []],
  ['version 2', { ...valid, version: 2 }],
  ['version missing', { features: valid.features }],
  ['no features', { version: 1, features: [] }],
  ['unknown top-level key', { ...valid, extra: 1 }],
  ['duplicate names', { version: 1, features: [f0, f0] }],
  ['bad name', withFeature({ name: '1abc' })],
  ['reserved name __proto__', withFeature({ name: '__proto__' })],
  ['reserved name constructor', withFeature({ name: 'constructor' })],
  ['reserved name toString', withFeature({ name: 'toString' })],
  ['reserved name hasOwnProperty', withFeature({ name: 'hasOwnProperty' })],
  ['reserved name prototype', withFeature({ name: 'prototype' })],
  ['empty name', withFeature({ name: '' })],
  ['bad side', withFeature({ side: 'user' })],
  ['bad source', withFeature({ source: 'cache' })],
  ['bad type', withFeature({ type: 'text' })],
  ['negative cost', withFeature({ costUs: -1 })],
  ['NaN cost', withFeature({ costUs: Number.NaN })],
  ['Infinity cost', withFeature({ costUs: Infinity })],
  ['string cost', withFeature({ costUs: '5' })],
  ['numeric default string', withFeature({ default: 'x' })],
  ['unknown feature key', withFeature({ unit: 'ms' })],
  ['categorical without vocab or buckets', withFeature({}, { name: 'c', side: 'item', type: 'categorical', source: 'request' })],
  ['categorical with both', withFeature({ vocab: ['a'], hashBuckets: 8 }, { name: 'c', side: 'item', type: 'categorical', source: 'request' })],
  ['empty vocab', withFeature({ vocab: [] }, { name: 'c', side: 'item', type: 'categorical', source: 'request' })],
  ['float in vocab', withFeature({ vocab: [1.5] }, { name: 'c', side: 'item', type: 'categorical', source: 'request' })],
  ['hashBuckets 1', withFeature({ hashBuckets: 1 }, { name: 'c', side: 'item', type: 'categorical', source: 'request' })],
  ['vector without dim', withFeature({}, { name: 'v', side: 'item', type: 'vector', source: 'store' })],
  ['vector dim 0', withFeature({ dim: 0 }, { name: 'v', side: 'item', type: 'vector', source: 'store' })],
  ['vector default of wrong length', withFeature({ dim: 3, default: [1, 2] }, { name: 'v', side: 'item', type: 'vector', source: 'store' })],
];

for (const [name, json] of invalid) {
  test(`invalid spec: ${name} -> ERR_AUTOFAS_FEATURE_SPEC`, () => {
    assert.throws(() => parseFeatureSpec(json), (err: any) => (assert.equal(err.code, 'ERR_AUTOFAS_FEATURE_SPEC'), true));
  });
}

test('loadFeatureSpec: missing file and bad JSON are ERR_AUTOFAS_FEATURE_SPEC', async () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"version": 1,');
  for (const path of [bad, join(dir, 'missing.json')]) {
    await assert.rejects(loadFeatureSpec(path), (err: any) => (assert.equal(err.code, 'ERR_AUTOFAS_FEATURE_SPEC'), true));
  }
});

test('a reserved feature name is refused naming the field and the name', () => {
  const json = JSON.parse('{"version":1,"features":[{"name":"__proto__","side":"item","type":"numeric","source":"request"}]}');
  assert.throws(() => parseFeatureSpec(json), (err: any) => {
    assert.equal(err.code, 'ERR_AUTOFAS_FEATURE_SPEC');
    assert.match(err.message, /features\[0\]\.name: "__proto__" is reserved/);
    return true;
  });
});

test('spec errors name the field path', () => {
  assert.throws(() => parseFeatureSpec(withFeature({ side: 'user' })), /features\[0\]\.side/);
});
