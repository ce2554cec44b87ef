// One log file being written: appends whole batches at known offsets, cuts a failed write back, completes by rename or removes itself.
import * as fsp from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

const gzipAsync = promisify(gzipCallback);

/** The part of an open file the sink uses (a `node:fs/promises` FileHandle has it). */
export interface LogFileHandle {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/** The file operations the sink uses (injectable, so a test can make the disk fail). */
export interface LogFileSystem {
  open(path: string, flags: 'wx'): Promise<LogFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

/** `node:fs/promises`. */
export const NODE_FILE_SYSTEM: LogFileSystem = {
  open: (path, flags) => fsp.open(path, flags),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
};

/**
 * A `.part` file that becomes `final` when complete. Gzip files are one gzip member per batch (readers such as
 * `gunzip`, `zcat` and Node's zlib read concatenated members as one stream), so a batch that fails to reach the disk
 * is cut off at the last good offset and every earlier line stays readable.
 */
export class LogFile {
  /** Uncompressed bytes and lines that reached the disk. */
  bytes = 0;
  lines = 0;
  private offset = 0;

  private constructor(
    private readonly fs: LogFileSystem,
    private readonly handle: LogFileHandle,
    readonly part: string,
    readonly final: string,
    readonly openedAt: number,
    private readonly gzip: boolean,
  ) {}

  /** Creates `<final>.part` (never overwriting a file). */
  static async open(fs: LogFileSystem, final: string, openedAt: number, gzip: boolean): Promise<LogFile> {
    const part = `${final}.part`;
    return new LogFile(fs, await fs.open(part, 'wx'), part, final, openedAt, gzip);
  }

  /** Appends `lines` newline-terminated lines held in `text`; resolves once the OS took every byte, else rejects (file cut back). */
  async append(text: string, lines: number): Promise<void> {
    const raw = Buffer.from(text, 'utf8');
    const data = this.gzip ? await gzipAsync(raw) : raw;
    try {
      let done = 0;
      while (done < data.length) {
        const { bytesWritten } = await this.handle.write(data, done, data.length - done, this.offset + done);
        done += bytesWritten;
      }
    } catch (err) {
      await this.handle.truncate(this.offset).catch(() => {});
      throw err;
    }
    this.offset += data.length;
    this.bytes += raw.length;
    this.lines += lines;
  }

  /** Closes the file: renamed to `final` when it holds lines, removed when empty. Resolves to the final name or null. */
  async complete(): Promise<string | null> {
    try {
      await this.handle.close();
      if (this.lines === 0) return (await this.remove(), null);
      await this.fs.rename(this.part, this.final);
      return this.final;
    } catch (err) {
      await this.remove();
      throw err;
    }
  }

  private async remove(): Promise<void> {
    await this.fs.unlink(this.part).catch(() => {});
  }
}
