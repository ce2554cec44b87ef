// A log directory that is gone, a file or read-only: coded error at start, write-error drops later, never lines counted written that are not on disk.
import assert from 'node:assert/strict';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { RotatingLogSink } from '../../src/serve/log-sink.js';
import { tempDir } from './ops-helpers.js';
import { mountTmpfs } from './teacher-log-fault-helpers.js';

/** Five lines into a sink whose directory breaks after start-up; every line must be a write-error drop. */
async function writeIntoBrokenDir(dir: string, gzip: boolean, breakIt: () => void, what: string): Promise<void> {
  const sink = new RotatingLogSink({ dir, gzip, checkIntervalMs: 0 });
  const errors: Error[] = [];
  sink.on('write-error', (e) => errors.push(e));
  breakIt();
  for (let i = 0; i < 5; i++) assert.equal(sink.write(`{"i":${i}}`), true);
  await sink.flush();
  await sink.close();
  assert.ok(errors.length >= 1, `${what}: an error was reported`);
  assert.deepEqual({ written: sink.stats().written, writeError: sink.stats().dropped['write-error'] }, { written: 0, writeError: 5 }, what);
  assert.equal(sink.stats().files.length, 0, what);
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) assert.deepEqual(readdirSync(dir), [], `${what}: no file, no .part`);
}

test('a directory removed or replaced by a file under the sink: every line is a write-error drop, none counted written', async () => {
  for (const gzip of [false, true]) {
    const dir = join(tempDir('disk-error'), 'logs');
    await writeIntoBrokenDir(dir, gzip, () => rmSync(dir, { recursive: true }), `removed gzip=${gzip}`);
    const dir2 = join(tempDir('disk-error'), 'logs');
    await writeIntoBrokenDir(dir2, gzip, () => (rmSync(dir2, { recursive: true }), writeFileSync(dir2, 'x')), `file gzip=${gzip}`);
  }
});

test('a log directory that is a file, or below one, is refused at start with ERR_AUTOFAS_LOG_DIR naming it', () => {
  const file = join(tempDir('dir-is-file'), 'logs');
  writeFileSync(file, 'not a directory');
  for (const dir of [file, join(file, 'sub')]) {
    assert.throws(() => new RotatingLogSink({ dir, checkIntervalMs: 0 }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_AUTOFAS_LOG_DIR');
      assert.ok(err.message.includes(resolve(dir)), err.message);
      return true;
    });
  }
});

test('a read-only directory: refused at start, and a directory that turns read-only drops lines as write-error', async (t) => {
  const ro = mountTmpfs('ro-dir', '64k', true);
  const rw = mountTmpfs('ro-later', '64k');
  try {
    if (!ro || !rw) return void t.skip('cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN); root ignores permission bits, so no read-only directory without one');
    assert.throws(() => new RotatingLogSink({ dir: ro.dir, checkIntervalMs: 0 }), { code: 'ERR_AUTOFAS_LOG_DIR' });
    await writeIntoBrokenDir(rw.dir, true, () => rw.remountReadOnly(), 'remounted read-only');
  } finally {
    ro?.unmount();
    rw?.unmount();
  }
});
