// The CLI tells the user what a load dropped: ignored features (one line), skipped lines, and refuses a directory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { trainBaseline, writeBaseline } from '../../src/search/baselines/index.js';
import { toyDataset, toyRecords, toySpec } from './baselines-toy-world.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let dir: string;

function evaluate(...args: string[]) {
  return spawnSync(process.execPath, [CLI, 'evaluate', '--model', join(dir, 'vector'), '--features', join(dir, 'features.json'), '--json', ...args], { encoding: 'utf8' });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autofas-cli-logs-'));
  await writeFile(join(dir, 'features.json'), JSON.stringify(toySpec));
  const records = toyRecords(4, 20, 31) as { context: Record<string, unknown>; candidates: { features: Record<string, unknown> }[] }[];
  for (const r of records) {
    r.context.user_city = 'lyon';
    for (const c of r.candidates) c.features.item_margin = 0.2;
  }
  const lines = records.map((r) => JSON.stringify(r));
  await writeFile(join(dir, 'extra.jsonl'), `${lines.join('\n')}\n`);
  await writeFile(join(dir, 'bad.jsonl'), `${[lines[0], '{oops', lines[1], '[]'].join('\n')}\n`);
  const trained = await trainBaseline(toyDataset(6, 20, 32), { kind: 'vector', epochs: 1, requestsPerBatch: 2, candidatesPerRequest: 8, towerLayers: [8] });
  await writeBaseline(join(dir, 'vector'), trained, { logsHash: 'test', specHash: 'test', toolVersion: '0.0.0' });
});

after(() => rm(dir, { recursive: true, force: true }));

test('logged features the spec does not name are ignored and named in one warning line', () => {
  const run = evaluate('--logs', join(dir, 'extra.jsonl'));
  assert.equal(run.status, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).candidates, 80);
  const warnings = run.stderr.split('\n').filter((l) => l.includes('warning'));
  assert.deepEqual(warnings, ['autofas: warning: ignored 2 logged features the feature spec does not name: item_margin (80 candidates), user_city (4 contexts)']);
});

test('--strict stops at the first feature the spec does not name', () => {
  const run = evaluate('--logs', join(dir, 'extra.jsonl'), '--strict');
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /ERR_AUTOFAS_LOG_FIELD/);
  assert.match(run.stderr, /extra\.jsonl line 1: context\.user_city: unknown feature/);
});

test('--skip-bad-lines says how many lines it skipped', () => {
  const run = evaluate('--logs', join(dir, 'bad.jsonl'), '--skip-bad-lines');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /autofas: warning: skipped 2 bad lines of 4 \(first: .*bad\.jsonl line 2: not valid JSON/);
});

test('a directory passed as a log file is a coded error naming it', () => {
  const run = evaluate('--logs', dir);
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /ERR_AUTOFAS_LOG_READ/);
  assert.ok(run.stderr.includes(`${dir}: is a directory`), run.stderr);
});
