// The loader turns valid logs (.jsonl and .jsonl.gz, several files) into exact typed columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categoryIndex } from '../../src/schema/encoder.js';
import type { CategoricalFeature } from '../../src/schema/feature-spec.js';
import { datasetBytes, loadDataset } from '../../src/search/data/dataset.js';
import { goodRecord, smallSpec, writeLog } from './dataset-helpers.js';

const brand = smallSpec.features.find((f) => f.name === 'brand') as CategoricalFeature;

test('load: values land in the right rows and columns', async () => {
  const path = writeLog('two.jsonl', [goodRecord(0, 2), goodRecord(1, 3)]);
  const { dataset: d, report } = await loadDataset([path], smallSpec);
  assert.deepEqual({ requests: d.requests, rows: d.rows, lines: report.lines, skipped: report.skipped }, { requests: 2, rows: 5, lines: 2, skipped: 0 });
  assert.deepEqual(d.requestIds, ['r0', 'r1']);
  assert.deepEqual([...d.requestOffsets], [0, 2, 5]);
  assert.deepEqual([...d.context.keys()], ['query_cat', 'user_vec']);
  assert.deepEqual([...d.columns.keys()], ['ctr_7d', 'item_vec', 'brand', 'match']);
  assert.ok(d.context.get('query_cat') instanceof Int32Array);
  assert.deepEqual([...d.context.get('query_cat')!], [1, 2]);
  assert.deepEqual([...d.context.get('user_vec')!], [0, 0.5, 0, 1, 1.5, -1]);
  assert.deepEqual([...d.columns.get('item_vec')!], [0, 0, 1, -1, 0, 0, 1, -1, 2, -2]);
  assert.deepEqual([...d.columns.get('brand')!], ['b0', 'b1', 'b0', 'b1', 'b2'].map((b) => categoryIndex(brand, b)));
  assert.deepEqual([...d.teacher], [0, -1, 1, 0, -1]);
  assert.deepEqual([...d.labels], [1, 0, 1, 0, 0]);
  assert.equal(d.hasLabels, true);
  assert.deepEqual(d.itemIds?.table, ['item0', 'item1', 'item2']);
  assert.deepEqual([...d.itemIds!.index], [0, 1, 0, 1, 2]);
  assert.equal(datasetBytes(d), 3 * 4 + 2 * 4 + 6 * 4 + 5 * 4 * (1 + 2 + 1 + 1) + 5 * 4 * 3);
});

test('load: missing features take the default, else 0 / unknown / zeros; no label -> NaN', async () => {
  const sparse = { request_id: 'q', context: {}, candidates: [{ item_id: 'a', teacher_score: 2 }, { item_id: 'b', features: { ctr_7d: null }, teacher_score: 1 }] };
  const noContext = { request_id: 'q2', candidates: [] };
  const { dataset: d } = await loadDataset([writeLog('sparse.jsonl', [sparse, noContext])], smallSpec);
  assert.equal(d.requests, 2);
  assert.deepEqual([...d.requestOffsets], [0, 2, 2]);
  assert.deepEqual([...d.columns.get('ctr_7d')!], [0.5, 0.5]);
  assert.deepEqual([...d.columns.get('item_vec')!], [0, 0, 0, 0]);
  assert.deepEqual([...d.context.get('query_cat')!], [0, 0]);
  assert.ok(d.labels.every(Number.isNaN));
  assert.equal(d.hasLabels, false);
});

test('load: several files, gzip and plain, CRLF and no final newline, concatenate in order', async () => {
  const a = writeLog('a.jsonl.gz', [goodRecord(0), goodRecord(1)]);
  const b = writeLog('b.jsonl', [JSON.stringify(goodRecord(2)) + '\r', goodRecord(3)], false);
  const progress: number[] = [];
  const { dataset: d, report } = await loadDataset([a, b], smallSpec, { onProgress: (p) => progress.push(p.requests), progressEvery: 1 });
  assert.deepEqual(d.requestIds, ['r0', 'r1', 'r2', 'r3']);
  assert.equal(report.files, 2);
  assert.equal(d.rows, 12);
  assert.equal(progress.at(-1), 4);
});

test('load: itemIds: false keeps no ids', async () => {
  const { dataset } = await loadDataset([writeLog('noids.jsonl', [goodRecord(0)])], smallSpec, { itemIds: false });
  assert.equal(dataset.itemIds, undefined);
});

test('load: columns grow across many chunks without losing rows', async () => {
  const lines = Array.from({ length: 30 }, (_, i) => goodRecord(i, 1000));
  const { dataset: d } = await loadDataset([writeLog('big.jsonl.gz', lines)], smallSpec);
  assert.equal(d.rows, 30000);
  assert.equal(d.columns.get('match')!.length, 30000);
  assert.equal(d.columns.get('item_vec')!.length, 60000);
  const match = d.columns.get('match')!;
  for (const row of [0, 16383, 16384, 29999]) {
    const q = Math.floor(row / 1000);
    assert.equal(match[row], Math.fround(q + (row % 1000) / 10));
  }
});
