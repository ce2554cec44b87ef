// Rotating JSONL(.gz) file sink behind a bounded queue: drops and counts when the disk is slower than traffic.
import { EventEmitter } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Gzip } from 'node:zlib';
import { optionError } from '../schema/errors.js';
import { checkKnownOptions, given, integerOption } from './known-options.js';

/** A clock (injectable so tests rotate by time without waiting). */
export interface Clock {
  now(): number;
}

export interface LogSinkOptions {
  /** Directory the files go to (created if missing). @default './teacher-logs' */
  readonly dir?: string;
  /** File name prefix: `<prefix>-<UTC time>-<seq>.jsonl[.gz]`. @default 'teacher' */
  readonly prefix?: string;
  /** Gzip the files. @default true */
  readonly gzip?: boolean;
  /** Rotate once a file holds this many (uncompressed) bytes. @default 67108864 (64 MiB) */
  readonly maxBytes?: number;
  /** Rotate once a file is this old (checked on writes and every `checkIntervalMs`). @default 3600000 (1 h) */
  readonly maxAgeMs?: number;
  /** Lines waiting for the disk beyond which new lines are dropped. @default 10000 */
  readonly maxQueueLines?: number;
  /** Bytes waiting for the disk beyond which new lines are dropped. @default 67108864 (64 MiB) */
  readonly maxQueueBytes?: number;
  /** Period of the age check while idle; 0 disables the timer. @default 60000 */
  readonly checkIntervalMs?: number;
  /** @default Date */
  readonly clock?: Clock;
}

interface SinkConfig {
  readonly dir: string;
  readonly prefix: string;
  readonly gzip: boolean;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
  readonly maxQueueLines: number;
  readonly maxQueueBytes: number;
  readonly checkIntervalMs: number;
  readonly clock: Clock;
}

export type DropReason = 'queue-full' | 'closed' | 'write-error';

export interface LogSinkEventMap {
  written: [info: { lines: number; bytes: number }];
  drop: [info: { reason: DropReason; lines: number }];
  rotate: [info: { file: string; lines: number; bytes: number }];
  /** A disk error (the batch is dropped and counted); named so an unhandled one never throws. */
  'write-error': [err: Error];
}

export interface LogSinkStats {
  readonly written: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  readonly queuedLines: number;
  readonly queuedBytes: number;
  /** Completed files, oldest first. */
  readonly files: readonly string[];
}

interface OpenFile {
  readonly part: string;
  readonly final: string;
  readonly out: Writable;
  readonly file: WriteStream;
  readonly openedAt: number;
  bytes: number;
  lines: number;
}

function parseOptions(options: LogSinkOptions): SinkConfig {
  checkKnownOptions(options, ['dir', 'prefix', 'gzip', 'maxBytes', 'maxAgeMs', 'maxQueueLines', 'maxQueueBytes', 'checkIntervalMs', 'clock'], 'RotatingLogSink');
  const prefix = given(options.prefix, 'teacher');
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(prefix)) throw optionError('prefix', 'must hold only letters, digits, _ . -', prefix);
  const clock = given(options.clock, Date);
  if (typeof clock?.now !== 'function') throw optionError('clock', 'must have a now() method', clock);
  const dir = given(options.dir, './teacher-logs');
  if (typeof dir !== 'string' || dir === '') throw optionError('dir', 'must be a directory path', dir);
  const gzip = given(options.gzip, true);
  if (typeof gzip !== 'boolean') throw optionError('gzip', 'must be a boolean', gzip);
  return {
    dir,
    prefix,
    gzip,
    maxBytes: integerOption('maxBytes', options.maxBytes, 64 * 1024 * 1024),
    maxAgeMs: integerOption('maxAgeMs', options.maxAgeMs, 3_600_000),
    maxQueueLines: integerOption('maxQueueLines', options.maxQueueLines, 10_000),
    maxQueueBytes: integerOption('maxQueueBytes', options.maxQueueBytes, 64 * 1024 * 1024),
    checkIntervalMs: integerOption('checkIntervalMs', options.checkIntervalMs, 60_000, true),
    clock,
  };
}

/** Appends lines to rotating files; `write()` never blocks: it queues or drops. Files appear complete (renamed from `.part`). */
export class RotatingLogSink extends EventEmitter<LogSinkEventMap> {
  readonly config: SinkConfig;
  private queue: string[] = [];
  private queuedBytes = 0;
  private running = false;
  private idle: Promise<void> = Promise.resolve();
  private current: OpenFile | null = null;
  private closed = false;
  private seq = 0;
  private written = 0;
  private readonly dropped: Record<DropReason, number> = { 'queue-full': 0, closed: 0, 'write-error': 0 };
  private readonly files: string[] = [];
  private readonly timer: NodeJS.Timeout | null;

  constructor(options: LogSinkOptions = {}) {
    super();
    this.config = parseOptions(options);
    mkdirSync(this.config.dir, { recursive: true });
    this.timer = this.config.checkIntervalMs > 0 ? setInterval(() => this.tick(), this.config.checkIntervalMs).unref() : null;
  }

  /** Queues one line (no newline needed); false when it was dropped. */
  write(line: string): boolean {
    if (this.closed) return this.drop('closed', 1);
    const bytes = Buffer.byteLength(line) + 1;
    if (this.queue.length >= this.config.maxQueueLines || this.queuedBytes + bytes > this.config.maxQueueBytes) {
      return this.drop('queue-full', 1);
    }
    this.queue.push(line);
    this.queuedBytes += bytes;
    this.start();
    return true;
  }

  /** Rotates the current file if it is older than `maxAgeMs` (the idle timer calls it). */
  tick(): void {
    if (this.current && !this.running && this.isDue(this.current)) this.start();
  }

  /** Resolves once every queued line has been handed to the file (gzip data flushed). */
  async flush(): Promise<void> {
    while (this.running) await this.idle;
    const out = this.current?.out as Gzip | undefined;
    if (out && typeof out.flush === 'function') await new Promise<void>((resolve) => out.flush(() => resolve()));
  }

  /** Writes what is queued, closes the current file and stops; later writes are dropped and counted. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    while (this.running) await this.idle;
    await this.closeCurrent();
  }

  stats(): LogSinkStats {
    return {
      written: this.written,
      dropped: { ...this.dropped },
      queuedLines: this.queue.length,
      queuedBytes: this.queuedBytes,
      files: [...this.files],
    };
  }

  private drop(reason: DropReason, lines: number): false {
    this.dropped[reason] += lines;
    this.emit('drop', { reason, lines });
    return false;
  }

  private isDue(file: OpenFile): boolean {
    return file.bytes >= this.config.maxBytes || this.config.clock.now() - file.openedAt >= this.config.maxAgeMs;
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    this.idle = this.drain();
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // let the current tick's writes queue up: one batch, one write
    try {
      if (this.current && this.isDue(this.current)) await this.closeCurrent();
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        this.queuedBytes = 0;
        await this.writeBatch(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async writeBatch(lines: string[]): Promise<void> {
    let chunk = '';
    let chunkLines = 0;
    try {
      for (const line of lines) {
        if (this.current && this.isDue(this.current)) {
          await this.writeChunk(chunk, chunkLines);
          chunk = '';
          chunkLines = 0;
          await this.closeCurrent();
        }
        this.current ??= this.open();
        chunk += `${line}\n`;
        chunkLines += 1;
        this.current.bytes += Buffer.byteLength(line) + 1;
        this.current.lines += 1;
      }
      await this.writeChunk(chunk, chunkLines);
    } catch (err) {
      this.emit('write-error', err as Error);
      this.drop('write-error', chunkLines);
      this.current = null;
    }
  }

  private async writeChunk(chunk: string, lines: number): Promise<void> {
    if (lines === 0 || !this.current) return;
    const { out } = this.current;
    if (out.destroyed) throw out.errored ?? new Error(`${this.current.part}: stream closed`);
    // Counted once the stream took the chunk (the file for .jsonl, the compressor for .gz); errors reject.
    await new Promise<void>((resolve, reject) => {
      out.write(chunk, (err) => (err ? reject(err) : resolve()));
    });
    this.written += lines;
    this.emit('written', { lines, bytes: Buffer.byteLength(chunk) });
  }

  private open(): OpenFile {
    const now = this.config.clock.now();
    const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const name = `${this.config.prefix}-${stamp}-${process.pid}-${String(this.seq++).padStart(4, '0')}.jsonl${this.config.gzip ? '.gz' : ''}`;
    const final = join(this.config.dir, name);
    const part = `${final}.part`;
    const file = createWriteStream(part, { flags: 'wx' });
    let out: Writable = file;
    if (this.config.gzip) {
      const gzip = createGzip();
      pipeline(gzip, file, () => {}); // errors surface through write/finished below; pipeline destroys both on one
      out = gzip;
    } else {
      file.on('error', () => {});
    }
    return { part, final, out, file, openedAt: now, bytes: 0, lines: 0 };
  }

  private async closeCurrent(): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = null;
    try {
      if (current.out !== current.file) current.out.end();
      else current.file.end();
      await finished(current.file);
      await rename(current.part, current.final);
      this.files.push(current.final);
      this.emit('rotate', { file: current.final, lines: current.lines, bytes: current.bytes });
    } catch (err) {
      this.emit('write-error', err as Error);
    }
  }
}
