// `autofas profile` measures a valid, monotone latency table that the lookup can read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyLookup, loadLatencyTable, parseLatencyTable } from '../../src/search/latency/latency-table.js';
import { parseProfileOptions, profileLatency } from '../../src/search/latency/profile.js';

test('a small profile yields a schema-valid table, non-decreasing in both widths', async () => {
  const table = parseLatencyTable(await profileLatency({ candidates: 64, dIns: [8, 32], dOuts: [1, 16], repeats: 3 }));
  assert.equal(table.entries.length, 4);
  const us = (i: number, o: number) => table.entries.find((e) => e.dIn === i && e.dOut === o)?.us as number;
  assert.ok(us(32, 16) >= us(8, 16) && us(32, 16) >= us(32, 1));
  assert.ok(new LatencyLookup(table).layerUs(16, 8) >= 0);
});

test('the shipped default table loads; bad profile options and bad tables are coded errors', async () => {
  const table = await loadLatencyTable();
  assert.equal(table.candidates, 1000);
  assert.throws(() => parseProfileOptions({ candidates: 0 }), { code: 'ERR_AUTOFAS_OPTION' });
  assert.throws(() => parseProfileOptions({ dIns: [] }), { code: 'ERR_AUTOFAS_OPTION' });
  assert.throws(() => parseLatencyTable({ ...table, version: 2 }), { code: 'ERR_AUTOFAS_PROFILE' });
  assert.throws(() => new LatencyLookup({ ...table, entries: table.entries.slice(1) }), { code: 'ERR_AUTOFAS_PROFILE' });
  await assert.rejects(loadLatencyTable('/nonexistent/latency.json'), { code: 'ERR_AUTOFAS_PROFILE' });
});
