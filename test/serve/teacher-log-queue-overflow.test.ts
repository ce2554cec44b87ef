// When the disk is slower than traffic the sink's bounded queue drops and counts lines; write() never blocks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RotatingLogSink } from '../../src/serve/log-sink.js';
import { logFiles, readLines, tempDir } from './ops-helpers.js';

test('lines beyond maxQueueLines are dropped and counted, the rest are written', async () => {
  const dir = tempDir('overflow-lines');
  const sink = new RotatingLogSink({ dir, gzip: false, maxQueueLines: 10, checkIntervalMs: 0 });
  const drops: number[] = [];
  sink.on('drop', (d) => drops.push(d.lines));
  const accepted = Array.from({ length: 25 }, (_, i) => sink.write(`{"i":${i}}`));
  assert.deepEqual(accepted, [...Array(10).fill(true), ...Array(15).fill(false)]);
  assert.equal(sink.stats().dropped['queue-full'], 15);
  assert.equal(drops.length, 15);
  await sink.flush();
  assert.equal(sink.write('{"i":25}'), true, 'room again once the queue drained');
  await sink.close();
  assert.deepEqual(
    logFiles(dir).flatMap(readLines),
    [...Array.from({ length: 10 }, (_, i) => `{"i":${i}}`), '{"i":25}'],
  );
});

test('lines beyond maxQueueBytes are dropped too', async () => {
  const dir = tempDir('overflow-bytes');
  const sink = new RotatingLogSink({ dir, gzip: false, maxQueueBytes: 100, checkIntervalMs: 0 });
  const big = 'y'.repeat(40);
  assert.deepEqual([sink.write(big), sink.write(big), sink.write(big)], [true, true, false]);
  await sink.close();
  assert.equal(sink.stats().dropped['queue-full'], 1);
  assert.equal(sink.stats().written, 2);
});
