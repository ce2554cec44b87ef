// Helpers of the teacher-log fault tests: a tiny tmpfs when the tests may mount one, a file system that fails on cue, accounting checks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import type { LogFileHandle, LogFileSystem } from '../../src/serve/log-file.js';
import type { RotatingLogSink } from '../../src/serve/log-sink.js';
import { logFiles, readLines, tempDir } from './ops-helpers.js';

/** Mounts a tmpfs of `size` (e.g. '128k') on a fresh directory; null when this process may not mount (not root, no CAP_SYS_ADMIN). */
export function mountTmpfs(tag: string, size: string, readOnly = false): { dir: string; remountReadOnly(): void; unmount(): void } | null {
  const dir = join(tempDir(tag), 'mnt');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${readOnly ? ',ro' : ''}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return {
    dir,
    remountReadOnly: () => execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'ignore' }),
    unmount: () => execFileSync('umount', ['-l', dir], { stdio: 'ignore' }),
  };
}

/** A file system whose files accept `capacity` bytes in total, then fail writes with ENOSPC after a partial write. */
export function fullDiskFileSystem(capacity: number): LogFileSystem {
  let used = 0;
  const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  return {
    async open(path, flags) {
      const handle = await fsp.open(path, flags);
      const limited: LogFileHandle = {
        async write(buffer, offset, length, position) {
          const room = capacity - used;
          if (room <= 0) throw enospc();
          const n = Math.min(room, length);
          const { bytesWritten } = await handle.write(buffer, offset, n, position);
          used += bytesWritten;
          return { bytesWritten };
        },
        async truncate(length) {
          const { size } = await handle.stat();
          used -= Math.max(0, size - length);
          await handle.truncate(length);
        },
        close: () => handle.close(),
      };
      return limited;
    },
    rename: (from, to) => fsp.rename(from, to),
    unlink: (path) => fsp.unlink(path),
  };
}

/** `count` lines of about `bytes` bytes each that compress badly (so a gzip sink fills a disk too). */
export function noisyLines(count: number, bytes: number, seed = 1): string[] {
  let x = seed;
  const next = (): string => (((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16) % 36).toString(36);
  return Array.from({ length: count }, (_, i) => JSON.stringify({ i, pad: Array.from({ length: bytes }, next).join('') }));
}

/**
 * The sink's books balance with the disk: every line is written or dropped, the completed files hold exactly the
 * written lines (each once, readable to the end), and no `.part` file is left.
 */
export function assertBooksMatchDisk(sink: RotatingLogSink, dir: string, total: number, what: string): number[] {
  const stats = sink.stats();
  assert.equal(stats.written + stats.dropped['write-error'] + stats.dropped['queue-full'], total, `${what}: every line written or dropped`);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.part')), [], `${what}: no .part file left`);
  const onDisk = logFiles(dir).flatMap((f) => readLines(f).map((l) => (JSON.parse(l) as { i: number }).i));
  assert.equal(onDisk.length, stats.written, `${what}: lines on disk = lines counted written`);
  assert.equal(new Set(onDisk).size, onDisk.length, `${what}: no line twice`);
  return onDisk;
}
