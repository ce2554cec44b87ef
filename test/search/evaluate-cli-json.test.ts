// `autofas evaluate --json` prints one row per model with every figure, on the same requests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { trainBaseline, writeBaseline } from '../../src/search/baselines/index.js';
import type { EvaluationReport } from '../../src/search/evaluate/types.js';
import { loadLatencyTable } from '../../src/search/latency/latency-table.js';
import { toyDataset, toyRecords, toySpec } from './baselines-toy-world.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let dir: string;

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autofas-evaluate-'));
  await writeFile(join(dir, 'features.json'), JSON.stringify(toySpec));
  await writeFile(join(dir, 'test.jsonl'), toyRecords(5, 50, 21).map((r) => JSON.stringify(r)).join('\n'));
  await writeFile(join(dir, 'all.jsonl'), toyRecords(20, 10, 23).map((r) => JSON.stringify(r)).join('\n'));
  const train = toyDataset(8, 40, 22);
  const provenance = { logsHash: 'test', specHash: 'test', toolVersion: '0.0.0' };
  for (const kind of ['vector', 'dnn-all'] as const) {
    const trained = await trainBaseline(train, { kind, epochs: 1, requestsPerBatch: 2, candidatesPerRequest: 8, layers: [16, 8], towerLayers: [8] });
    await writeBaseline(join(dir, kind), trained, provenance);
  }
});

after(() => rm(dir, { recursive: true, force: true }));

test('evaluate --json reports every model on the same requests', async () => {
  const run = cli('evaluate', '--logs', join(dir, 'test.jsonl'), '--model', join(dir, 'vector'), '--model', join(dir, 'dnn-all'), '--k', '10', '--top', '3', '--json');
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as EvaluationReport;
  assert.equal(report.k, 10);
  assert.equal(report.top, 3);
  assert.equal(report.requests, 5);
  assert.equal(report.candidates, 250);
  assert.deepEqual(report.rows.map((r) => [r.name, r.kind]), [['vector', 'vector'], ['dnn-all', 'dnn-all']]);
  for (const row of report.rows) {
    for (const key of ['recallAtK', 'ndcgAtK', 'auc', 'networkUs', 'featureUs', 'totalUs', 'flopsPerCandidate'] as const) {
      assert.equal(typeof row[key], 'number', `${row.name}.${key}`);
    }
    assert.ok(row.recallAtK >= 0 && row.recallAtK <= 1);
    assert.ok(row.networkUs > 0);
    assert.equal(row.totalUs, row.networkUs + row.featureUs);
  }
  // Eq. 3-4 on the toy spec's costs (the store side binds): the vector model's item tower reads quality 20 + topic 10 +
  // vec 30 µs; dnn-all also reads the 300 µs cross feature. Each feature adds beta, the default table's input cost.
  const beta = (await loadLatencyTable()).inputUs;
  assert.deepEqual(report.rows.map((r) => r.featureUs), [60 + 3 * beta, 360 + 4 * beta]);
});

test('evaluate prints a table by default and fails with a coded error on a bad flag', () => {
  const table = cli('evaluate', '--logs', join(dir, 'test.jsonl'), '--model', join(dir, 'vector'));
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /Recall@100/);
  const bad = cli('evaluate', '--logs', join(dir, 'test.jsonl'), '--model', join(dir, 'vector'), '--k', '0');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /ERR_AUTOFAS_OPTION/);
});

test('evaluate --split-seed scores only the test requests that search and train hold out', () => {
  const run = cli('evaluate', '--logs', join(dir, 'all.jsonl'), '--model', join(dir, 'vector'), '--split-seed', '1', '--json');
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as EvaluationReport;
  assert.equal(report.requests, 2); // 20 requests: 16 train, 2 validation, 2 test
  assert.equal(report.candidates, 20);
});
