// A full disk: the sink reports write-error, counts the lost lines, settles flush()/close(), leaves no .part and keeps every line it counted.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RotatingLogSink } from '../../src/serve/log-sink.js';
import { preRankMetrics } from '../../src/serve/metrics.js';
import { fakePreRanker, tempDir } from './ops-helpers.js';
import { assertBooksMatchDisk, fullDiskFileSystem, mountTmpfs, noisyLines } from './teacher-log-fault-helpers.js';
import type { LogSinkOptions } from '../../src/serve/log-sink.js';

/** Writes `lines` in batches of 10 (flushing between), then closes; returns the sink and its write errors. */
async function fill(options: LogSinkOptions, lines: readonly string[]) {
  const sink = new RotatingLogSink({ checkIntervalMs: 0, maxBytes: 24 * 1024, ...options });
  const metrics = preRankMetrics(fakePreRanker(async () => ({}) as never), { teacherLogger: { sink, events: new (await import('node:events')).EventEmitter() as never } });
  const errors: Error[] = [];
  sink.on('write-error', (e) => errors.push(e));
  for (let i = 0; i < lines.length; i += 10) {
    for (const line of lines.slice(i, i + 10)) sink.write(line);
    await sink.flush();
  }
  await sink.close();
  const dropped = (await metrics.registry.getSingleMetric('autofas_teacher_log_dropped_total')?.get())?.values ?? [];
  const linesTotal = (await metrics.registry.getSingleMetric('autofas_teacher_log_lines_total')?.get())?.values[0]?.value ?? 0;
  return { sink, errors, droppedWriteError: dropped.find((v) => v.labels.reason === 'write-error')?.value ?? 0, linesTotal };
}

function check(result: Awaited<ReturnType<typeof fill>>, dir: string, total: number, what: string): void {
  const { sink, errors, droppedWriteError, linesTotal } = result;
  const stats = sink.stats();
  assert.ok(errors.length > 0 && errors.every((e) => (e as NodeJS.ErrnoException).code === 'ENOSPC'), `${what}: ENOSPC surfaced as write-error`);
  assert.ok(stats.written > 0, `${what}: lines before the disk filled were kept`);
  assert.ok(stats.dropped['write-error'] > 0, `${what}: lines after it were dropped`);
  assert.equal(stats.dropped['queue-full'], 0, `${what}: the queue did not back up`);
  assert.equal(droppedWriteError, stats.dropped['write-error'], `${what}: dropped{reason="write-error"} counts them`);
  assert.equal(linesTotal, stats.written, `${what}: lines_total counts only what reached the disk`);
  assertBooksMatchDisk(sink, dir, total, what);
}

test('on a 128 KB tmpfs both sinks fill the disk, then drop and count, and close cleanly', async (t) => {
  const mount = mountTmpfs('disk-full', '128k');
  if (!mount) return void t.skip('cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN); the simulated full disk below covers the same paths');
  try {
    for (const gzip of [false, true]) {
      const dir = join(mount.dir, gzip ? 'gz' : 'plain');
      const lines = noisyLines(200, 2000);
      check(await fill({ dir, gzip }, lines), dir, lines.length, `tmpfs gzip=${gzip}`);
      rmSync(dir, { recursive: true }); // room for the next sink
    }
  } finally {
    mount.unmount();
  }
});

test('a simulated full disk (partial write, then ENOSPC) gives the same accounting', async () => {
  for (const gzip of [false, true]) {
    const dir = join(tempDir('sim-full'), 'logs');
    const lines = noisyLines(120, 1000, 7);
    check(await fill({ dir, gzip, fileSystem: fullDiskFileSystem(40_000) }, lines), dir, lines.length, `simulated gzip=${gzip}`);
  }
});
