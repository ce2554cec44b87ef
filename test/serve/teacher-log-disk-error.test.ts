// A disk error in the teacher-log sink drops and counts the lines, emits 'write-error', and never throws into the caller.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RotatingLogSink } from '../../src/serve/log-sink.js';
import { tempDir } from './ops-helpers.js';

test('lines that cannot reach the disk are counted as write-error drops, later lines still work once it is back', async () => {
  for (const gzip of [false, true]) {
    const dir = join(tempDir('disk-error'), 'logs');
    const sink = new RotatingLogSink({ dir, gzip, checkIntervalMs: 0 });
    const errors: Error[] = [];
    sink.on('write-error', (e) => errors.push(e));
    rmSync(dir, { recursive: true }); // the directory disappears under the sink
    for (let i = 0; i < 5; i++) assert.equal(sink.write(`{"i":${i}}`), true);
    await sink.flush();
    await sink.close();
    const stats = sink.stats();
    assert.ok(errors.length >= 1, `gzip=${gzip}: an error was reported`);
    assert.equal(stats.written + stats.dropped['write-error'], 5, `gzip=${gzip}: every line is accounted for`);
    assert.equal(stats.files.length, 0);
  }
});
