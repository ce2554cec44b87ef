// `autofas search` end to end through the CLI: artifact + history written and valid; bad flags are coded errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

test('autofas search writes a valid artifact and a history with one record per epoch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'autofas-search-cli-'));
  try {
    const out = join(dir, 'model');
    const args = ['search', '--logs', `${WORLD}logs.jsonl.gz`, '--features', `${WORLD}features.json`, '--out', out];
    const r = cli([...args, '--lambda2', '0.1', '--epochs', '2', '--retrain-epochs', '1', '--widths', '32,16', '--mixops', '2', '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote .*autofas-[0-9a-f]{16}/);
    const spec = await loadFeatureSpec(`${WORLD}features.json`);
    const artifact = await loadArtifact(out, { spec });
    assert.equal(artifact.card.kind, 'autofas');
    assert.ok(artifact.card.provenance.logsHash.length === 64 && artifact.card.provenance.command?.includes('search'));
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as SearchHistory;
    assert.equal(history.epochs.length, 2);
    assert.equal(history.epochs[0].mixops.length, 2);
    assert.deepEqual(history.derived.features, artifact.card.inputs.map((i) => i.feature.name));
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /<svg/);
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
