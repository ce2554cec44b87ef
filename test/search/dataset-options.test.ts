// loadDataset validates its arguments up front: bad options, paths and specs throw coded errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../src/search/data/dataset.js';
import { goodRecord, smallSpec, writeLog } from './dataset-helpers.js';

const path = writeLog('opts.jsonl', [goodRecord(0)]);

const badOptions: [string, unknown][] = [
  ['skipBadLines "yes"', { skipBadLines: 'yes' }],
  ['skipBadLines 1', { skipBadLines: 1 }],
  ['maxReportedErrors -1', { maxReportedErrors: -1 }],
  ['maxReportedErrors NaN', { maxReportedErrors: Number.NaN }],
  ['maxReportedErrors Infinity', { maxReportedErrors: Infinity }],
  ['progressEvery 0', { progressEvery: 0 }],
  ['onProgress {}', { onProgress: {} }],
  ['itemIds null', { itemIds: null }],
  ['misspelt skip_bad_lines', { skip_bad_lines: true }],
  ['options []', 'nope'],
];

for (const [name, options] of badOptions) {
  test(`loadDataset rejects option ${name}`, async () => {
    await assert.rejects(loadDataset([path], smallSpec, options as any), (err: any) => {
      assert.equal(err.code, 'ERR_AUTOFAS_OPTION');
      assert.ok(err instanceof TypeError);
      return true;
    });
  });
}

test('a misspelt option suggests the right name', async () => {
  await assert.rejects(loadDataset([path], smallSpec, { skip_bad_lines: true } as any), /did you mean `skipBadLines`/);
});

for (const paths of [[], [''], 'logs.jsonl', [1], null]) {
  test(`loadDataset rejects paths ${JSON.stringify(paths)}`, async () => {
    await assert.rejects(loadDataset(paths as any, smallSpec), (err: any) => (assert.equal(err.code, 'ERR_AUTOFAS_OPTION'), true));
  });
}

const badSpecs: [string, unknown][] = [
  ['null', null],
  ['no features', { version: 1, features: [] }],
  ['version 2', { ...smallSpec, version: 2 }],
  ['categorical without vocab', { version: 1, features: [{ name: 'a', side: 'item', type: 'categorical', source: 'request' }] }],
];
for (const [name, spec] of badSpecs) {
  test(`loadDataset rejects spec: ${name}`, async () => {
    await assert.rejects(loadDataset([path], spec as any), (err: any) => (assert.equal(err.code, 'ERR_AUTOFAS_FEATURE_SPEC'), true));
  });
}
