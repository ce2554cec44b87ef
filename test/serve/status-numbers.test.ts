// The status numbers: request rate over a sliding window (fake clock), path shares, latency quantiles, Recall@K mean and 95% CI.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { preRankStatus } from '../../src/serve/status.js';
import type { PreRankRecord } from '../../src/serve/types.js';
import { FakeClock, fakePreRanker } from './ops-helpers.js';

const record = (arm: 'autofas' | 'baseline', path: 'model' | 'vector', latencyMs: number): PreRankRecord =>
  ({ arm, path, latencyMs, modelId: null, k: 10, candidatesIn: 100, candidatesOut: 10, shadowOverlap: 0.5, shadowArm: arm === 'autofas' ? 'baseline' : 'autofas' });

test('rates cover the last window only; shares, quantiles and the Recall@K interval are computed from the events', () => {
  const clock = new FakeClock();
  const preRanker = fakePreRanker(async () => ({}) as never);
  const logger = { events: new EventEmitter(), sink: new EventEmitter() };
  const status = preRankStatus(preRanker, { clock, windowMs: 10_000, teacherLogger: logger as never });
  for (let i = 1; i <= 100; i++) preRanker.events.emit('request', record('autofas', i <= 75 ? 'model' : 'vector', i));
  clock.advance(20_000); // those 100 leave the 10 s window
  for (let i = 0; i < 30; i++) preRanker.events.emit('request', record('baseline', 'vector', 2));
  clock.advance(5_000);
  for (const r of [1, 1, 0, 0]) logger.events.emit('recall', { arm: 'autofas', k: 10, top: 10, recall: r, shadow: false });
  logger.sink.emit('written', { lines: 4, bytes: 100 });
  logger.sink.emit('drop', { reason: 'write-error', lines: 2 });
  const s = status.snapshot();
  const autofas = s.arms.find((a) => a.arm === 'autofas');
  const baseline = s.arms.find((a) => a.arm === 'baseline');
  assert.deepEqual([autofas?.requests, autofas?.ratePerSecond, baseline?.ratePerSecond], [100, 0, 3]);
  assert.deepEqual(autofas?.pathShare, { model: 0.75, vector: 0.25 });
  assert.deepEqual(autofas?.latencyMs, { p50: 50, p99: 99, n: 100 });
  // mean 0.5, sample sd 0.57735, half width 1.96 * 0.57735 / 2 = 0.5658 -> clipped to [0, 1]
  assert.deepEqual(autofas?.recall, { n: 4, mean: 0.5, lo: 0, hi: 1 });
  assert.equal(autofas?.shadowOverlap?.mean, 0.5);
  assert.deepEqual(s.teacherLog, { written: 4, files: 0, dropped: { 'write-error': 2 }, skipped: {} });
  status.close();
  preRanker.events.emit('request', record('autofas', 'model', 1));
  assert.equal(status.snapshot().arms.find((a) => a.arm === 'autofas')?.requests, 100, 'close() detaches');
});
