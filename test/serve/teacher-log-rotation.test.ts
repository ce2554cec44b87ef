// The teacher-log sink rotates by size and by time (fake clock), hides open files, and flushes on close.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { RotatingLogSink } from '../../src/serve/log-sink.js';
import { FakeClock, logFiles, readLines, tempDir } from './ops-helpers.js';

const line = (i: number) => JSON.stringify({ request_id: `r${i}`, pad: 'x'.repeat(30) });

test('size rotation: every file stops at the first line past maxBytes, no line lost or reordered', async () => {
  const dir = tempDir('rot-size');
  const sink = new RotatingLogSink({ dir, gzip: false, maxBytes: 200, checkIntervalMs: 0 });
  for (let i = 0; i < 20; i++) assert.equal(sink.write(line(i)), true);
  await sink.close();
  const files = logFiles(dir);
  const lineBytes = line(0).length + 1;
  assert.equal(files.length, Math.ceil(20 / Math.ceil(200 / lineBytes)));
  assert.deepEqual(files.flatMap(readLines), Array.from({ length: 20 }, (_, i) => line(i)));
  assert.deepEqual(sink.stats().files, files);
  assert.equal(sink.stats().written, 20);
});

test('time rotation with a fake clock, and the idle check closes an old file without new lines', async () => {
  const dir = tempDir('rot-time');
  const clock = new FakeClock();
  const sink = new RotatingLogSink({ dir, gzip: true, maxAgeMs: 60_000, clock, checkIntervalMs: 0 });
  for (let i = 0; i < 3; i++) sink.write(line(i));
  await sink.flush();
  assert.equal(logFiles(dir).length, 0, 'the open file is still .part');
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.jsonl.gz.part')).length, 1);
  clock.advance(59_999);
  sink.write(line(3));
  await sink.flush();
  assert.equal(logFiles(dir).length, 0);
  clock.advance(1);
  sink.write(line(4));
  await sink.flush();
  assert.equal(logFiles(dir).length, 1, 'rotated when the file reached maxAgeMs');
  clock.advance(60_000);
  sink.tick();
  await sink.flush();
  assert.equal(logFiles(dir).length, 2, 'the idle check rotated the second file');
  sink.write(line(5));
  await sink.close();
  const files = logFiles(dir);
  assert.deepEqual(files.map(readLines), [[0, 1, 2, 3].map(line), [line(4)], [line(5)]]);
  assert.ok(files.every((f) => f.endsWith('.jsonl.gz')));
});

test('close flushes what is queued; writes after close are dropped and counted', async () => {
  const dir = tempDir('rot-close');
  const sink = new RotatingLogSink({ dir, checkIntervalMs: 0 });
  for (let i = 0; i < 50; i++) sink.write(line(i));
  await sink.close();
  assert.equal(logFiles(dir).flatMap(readLines).length, 50);
  assert.equal(sink.write(line(99)), false);
  assert.deepEqual(sink.stats().dropped, { 'queue-full': 0, closed: 1, 'write-error': 0 });
});

test('bad sink options throw ERR_AUTOFAS_OPTION', () => {
  const dir = tempDir('rot-opt');
  for (const bad of [{ maxBytes: 0 }, { maxAgeMs: -1 }, { maxQueueLines: 1.5 }, { prefix: '../x' }, { clock: {} as never }]) {
    assert.throws(() => new RotatingLogSink({ dir, ...bad }), { code: 'ERR_AUTOFAS_OPTION' });
  }
});
