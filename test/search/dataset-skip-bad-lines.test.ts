// skipBadLines: bad lines are counted, reported with code and line, and leave no trace in the dataset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLoad, loadDataset, loadWarnings } from '../../src/search/data/dataset.js';
import { goodRecord, smallSpec, writeLog } from './dataset-helpers.js';

const lines = [
  goodRecord(1),
  '{"request_id": "r2", "candidates": [',
  { ...goodRecord(3), candidates: [...(goodRecord(3).candidates as object[]), { item_id: 'x', teacher_score: 'high' }] },
  goodRecord(4),
  '',
  '{"request_id": NaN}',
  goodRecord(7, 5),
];

test('skipBadLines counts, reports and skips malformed lines', async () => {
  const path = writeLog('mixed.jsonl', lines);
  const { dataset, report } = await loadDataset([path], smallSpec, { skipBadLines: true });
  assert.equal(report.lines, 6, 'blank line not counted');
  assert.equal(report.skipped, 3);
  assert.deepEqual(
    report.errors.map((e) => [e.line, e.code]),
    [
      [2, 'ERR_AUTOFAS_LOG_PARSE'],
      [3, 'ERR_AUTOFAS_LOG_FIELD'],
      [6, 'ERR_AUTOFAS_LOG_PARSE'],
    ],
  );
  assert.match(report.errors[1].message, /line 3: candidates\[3\]\.teacher_score: /);
  assert.deepEqual(dataset.requestIds, ['r1', 'r4', 'r7']);
  assert.equal(dataset.rows, 3 + 3 + 5);
  assert.deepEqual([...dataset.requestOffsets], [0, 3, 6, 11]);
  // the rejected line 3 wrote rows before failing; the next good line must have overwritten them
  assert.deepEqual([...dataset.teacher.subarray(3, 6)], [4, 3, 2]);
  assert.deepEqual([...(dataset.columns.get('match') as Float32Array).subarray(3, 6)], [Math.fround(4), Math.fround(4.1), Math.fround(4.2)]);
});

test('skipBadLines keeps only maxReportedErrors messages but counts all', async () => {
  const path = writeLog('many-bad.jsonl', [goodRecord(0), ...Array.from({ length: 9 }, () => '{oops')]);
  const { report } = await loadDataset([path], smallSpec, { skipBadLines: true, maxReportedErrors: 2 });
  assert.equal(report.skipped, 9);
  assert.equal(report.errors.length, 2);
});

test('without skipBadLines the first bad line stops the load', async () => {
  const path = writeLog('mixed2.jsonl', lines);
  await assert.rejects(loadDataset([path], smallSpec), (err: any) => (assert.equal(err.details.line, 2), true));
});

test('only bad lines -> ERR_AUTOFAS_LOG_EMPTY even with skipBadLines', async () => {
  const path = writeLog('all-bad.jsonl', ['{', '[']);
  await assert.rejects(loadDataset([path], smallSpec, { skipBadLines: true }), (err: any) => (assert.equal(err.code, 'ERR_AUTOFAS_LOG_EMPTY'), true));
});

test('describeLoad summarises a load and loadWarnings says how many lines were skipped', async () => {
  const { report } = await loadDataset([writeLog('describe.jsonl', lines)], smallSpec, { skipBadLines: true });
  assert.equal(describeLoad(report), 'read 3 requests, 11 candidates from 1 file');
  const warnings = loadWarnings(report);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^skipped 3 bad lines of 6 \(first: .* line 2: not valid JSON/);
  const clean = await loadDataset([writeLog('clean.jsonl', [goodRecord(1)])], smallSpec, { skipBadLines: true });
  assert.deepEqual(loadWarnings(clean.report), []);
});
