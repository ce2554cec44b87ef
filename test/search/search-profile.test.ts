// `autofas profile` measures a valid latency table that the lookup can read, made monotone where timer noise is not.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LatencyLookup, loadLatencyTable, parseLatencyTable } from '../../src/search/latency/latency-table.js';
import { monotoneEnvelope, parseProfileOptions, profileLatency } from '../../src/search/latency/profile.js';

test('a small profile yields a schema-valid table over the whole grid', async () => {
  const table = parseLatencyTable(await profileLatency({ candidates: 64, dIns: [8, 32], dOuts: [1, 16], repeats: 3 }));
  assert.deepEqual(table.entries.map((e) => `${e.dIn}x${e.dOut}`), ['8x1', '8x16', '32x1', '32x16']);
  assert.ok(new LatencyLookup(table).layerUs(16, 8) >= 0);
});

test('noisy measurements become the smallest table non-decreasing in both widths', () => {
  const grid = (us: number[]) => [8, 32, 64].flatMap((dIn, i) => [1, 16].map((dOut, o) => ({ dIn, dOut, us: us[i * 2 + o] })));
  const measured = grid([5, 3, 4, 9, 2, 8]); // 8x16 < 8x1, 32x1 < 8x1, 64x1 < 32x1, 64x16 < 32x16
  assert.deepEqual(monotoneEnvelope(measured, [8, 32, 64], [1, 16]), grid([5, 5, 5, 9, 5, 9]));
  assert.deepEqual(measured, grid([5, 3, 4, 9, 2, 8]), 'the measurements are not changed in place');
  const monotone = grid([1, 2, 3, 4, 5, 6]);
  assert.deepEqual(monotoneEnvelope(monotone, [8, 32, 64], [1, 16]), monotone);
});

test('the shipped default table loads; bad profile options and bad tables are coded errors', async () => {
  const table = await loadLatencyTable();
  assert.equal(table.candidates, 1000);
  assert.throws(() => parseProfileOptions({ candidates: 0 }), { code: 'ERR_AUTOFAS_OPTION' });
  assert.throws(() => parseProfileOptions({ dIns: [] }), { code: 'ERR_AUTOFAS_OPTION' });
  assert.throws(() => parseLatencyTable({ ...table, version: 2 }), { code: 'ERR_AUTOFAS_PROFILE' });
  assert.throws(() => new LatencyLookup({ ...table, entries: table.entries.slice(1) }), { code: 'ERR_AUTOFAS_PROFILE' });
  await assert.rejects(loadLatencyTable('/nonexistent/latency.json'), { code: 'ERR_AUTOFAS_PROFILE' });
  const dir = await mkdtemp(join(tmpdir(), 'autofas-profile-'));
  try {
    await writeFile(join(dir, 'latency.json'), '{"version": 1,');
    await assert.rejects(loadLatencyTable(join(dir, 'latency.json')), { code: 'ERR_AUTOFAS_PROFILE' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
