// `autofas search` end to end through the CLI: artifact + history written and valid; bad flags are coded errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadArtifact } from '../../src/schema/artifact.js';
import { loadFeatureSpec } from '../../src/schema/feature-spec.js';
import type { SearchHistory } from '../../src/search/search/history.js';
import { WORLD } from './search-helpers.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

/** A costs.json (as `autofas profile --store` writes) giving every store feature of the fixture spec 1000 + its index us. */
async function writeCosts(path: string): Promise<Record<string, number>> {
  const spec = await loadFeatureSpec(`${WORLD}features.json`);
  const stored = spec.features.filter((f) => f.source === 'store');
  const us = Object.fromEntries(stored.map((f, i) => [f.name, 1000 + i]));
  const features = Object.fromEntries(stored.map((f) => [f.name, { side: f.side, data: 'probe', bytes: 1, p50Us: us[f.name], p99Us: us[f.name] }]));
  writeFileSync(path, JSON.stringify({ version: 1, store: 'redis://127.0.0.1:6379', candidates: 1000, requests: 1, measuredAt: 'now', pingUs: { p50: 1, p99: 1 }, features }));
  return us;
}

test('autofas search writes a valid artifact and a history with one record per epoch; --costs feeds measured costs and the card says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'autofas-search-cli-'));
  try {
    const out = join(dir, 'model');
    const measured = await writeCosts(join(dir, 'costs.json'));
    const args = ['search', '--logs', `${WORLD}logs.jsonl.gz`, '--features', `${WORLD}features.json`, '--costs', join(dir, 'costs.json'), '--out', out];
    const r = cli([...args, '--lambda2', '0.1', '--epochs', '2', '--retrain-epochs', '1', '--widths', '32,16', '--mixops', '2', '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote .*autofas-[0-9a-f]{16}/);
    assert.match(r.stdout, /requests \d+(,|\n)/, 'counts print as integers');
    const spec = await loadFeatureSpec(`${WORLD}features.json`);
    const artifact = await loadArtifact(out, { spec });
    assert.equal(artifact.card.kind, 'autofas');
    assert.ok(artifact.card.provenance.logsHash.length === 64 && artifact.card.provenance.command?.includes('search'));
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as SearchHistory;
    assert.equal(history.epochs.length, 2);
    assert.equal(history.epochs[0].mixops.length, 2);
    assert.deepEqual(history.derived.features, artifact.card.inputs.map((i) => i.feature.name));
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(report, /<svg/);
    assert.match(report, /<th>test requests<\/th><td[^>]*>\d+<\/td>/, 'counts print as integers');
    assert.equal(artifact.card.provenance.featureCosts?.source, 'measured');
    assert.equal(artifact.card.provenance.featureCosts?.file, join(dir, 'costs.json'));
    for (const f of history.features.filter((x) => x.source === 'store')) assert.equal(f.costUs, measured[f.name], `${f.name}: the latency model used the measured cost`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad search flags fail with ERR_AUTOFAS_OPTION', () => {
  const base = ['search', '--logs', `${WORLD}logs.jsonl.gz`, '--features', `${WORLD}features.json`, '--out', join(mkdtempSync(join(tmpdir(), 'autofas-search-cli-')), 'never')];
  for (const extra of [['--budget-us', '-5'], ['--budget-us', '500', '--lambda2', '0.1'], ['--widths', '32,x'], ['--epochs', '0']]) {
    const r = cli([...base, ...extra]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /ERR_AUTOFAS_OPTION/, extra.join(' '));
  }
});
