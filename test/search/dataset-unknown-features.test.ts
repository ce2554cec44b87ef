// Logs may carry more features than the spec names: they are ignored, counted and named; `strict` refuses them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset, loadWarnings } from '../../src/search/data/dataset.js';
import { goodRecord, smallSpec, writeLog } from './dataset-helpers.js';

type Rec = Record<string, any>;

/** goodRecord(i) plus features the spec does not name: `city` in the context, `ctr_30d` and `__proto__` per candidate. */
function withExtras(i: number, n = 3): Rec {
  const r = goodRecord(i, n) as Rec;
  r.context.city = 'paris';
  for (const c of r.candidates) Object.assign(c.features, { ctr_30d: 0.3, constructor: 'x' });
  return r;
}

/** JSON text whose candidates log a `__proto__` key (JSON.parse makes it an own key). */
function withProtoKey(i: number): string {
  return JSON.stringify(goodRecord(i, 2)).replaceAll('"features":{', '"features":{"__proto__":{"polluted":1},');
}

test('features the spec does not name are ignored: the dataset is the one of the log without them', async () => {
  const plain = await loadDataset([writeLog('plain.jsonl', [goodRecord(1), goodRecord(2, 4)])], smallSpec);
  const extra = await loadDataset([writeLog('extra.jsonl', [withExtras(1), withExtras(2, 4)])], smallSpec);
  assert.deepEqual(extra.dataset, plain.dataset);
  assert.deepEqual(plain.report.ignoredFeatures, []);
  assert.deepEqual(extra.report.ignoredFeatures, [
    { name: 'city', where: 'context', count: 2 },
    { name: 'constructor', where: 'candidates', count: 7 },
    { name: 'ctr_30d', where: 'candidates', count: 7 },
  ]);
  assert.equal(({} as Rec).polluted, undefined);
});

test('a logged __proto__ key is ignored and counted like any unnamed feature', async () => {
  const { dataset, report } = await loadDataset([writeLog('proto.jsonl', [withProtoKey(1)])], smallSpec);
  assert.equal(dataset.rows, 2);
  assert.deepEqual(report.ignoredFeatures, [{ name: '__proto__', where: 'candidates', count: 2 }]);
  assert.equal(({} as Rec).polluted, undefined);
});

test('loadWarnings names the ignored features in one line', async () => {
  const { report } = await loadDataset([writeLog('warn.jsonl', [withExtras(1), withExtras(2)])], smallSpec);
  const warnings = loadWarnings(report);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0], 'ignored 3 logged features the feature spec does not name: city (2 contexts), constructor (6 candidates), ctr_30d (6 candidates)');
});

test('features of a skipped line are not counted', async () => {
  const bad = withExtras(2);
  bad.candidates[1].teacher_score = 'high';
  const { report } = await loadDataset([writeLog('skip-extra.jsonl', [withExtras(1), bad])], smallSpec, { skipBadLines: true });
  assert.equal(report.skipped, 1);
  assert.deepEqual(report.ignoredFeatures.map((f) => [f.name, f.count]), [['city', 1], ['constructor', 3], ['ctr_30d', 3]]);
});

test('strict stops at the first unnamed feature, naming file, line and field', async () => {
  const path = writeLog('strict.jsonl', [goodRecord(1), withExtras(2)]);
  await assert.rejects(loadDataset([path], smallSpec, { strict: true }), (err: any) => {
    assert.equal(err.code, 'ERR_AUTOFAS_LOG_FIELD');
    assert.deepEqual(err.details, { file: path, line: 2 });
    assert.equal(err.message, `${path} line 2: context.city: unknown feature (not in the feature spec)`);
    return true;
  });
});

test('a spec feature logged on the wrong side is still an error without strict', async () => {
  const r = goodRecord(1) as Rec;
  r.candidates[0].features.user_vec = [1, 2, 3];
  await assert.rejects(loadDataset([writeLog('side.jsonl', [r])], smallSpec), (err: any) => (assert.equal(err.code, 'ERR_AUTOFAS_LOG_FIELD'), true));
});
