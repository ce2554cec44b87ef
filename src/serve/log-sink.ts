// Rotating JSONL(.gz) file sink behind a bounded queue: drops and counts when the disk is slower than traffic.
import { EventEmitter } from 'node:events';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { autofasError, optionError } from '../schema/errors.js';
import { intOption } from '../schema/option-values.js';
import { checkKnownOptions, given, isOptionsObject } from './known-options.js';
import { LogFile, NODE_FILE_SYSTEM } from './log-file.js';
import type { LogFileSystem } from './log-file.js';

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
  /** File operations (`open`, `rename`, `unlink`); tests inject failing ones. @default node:fs/promises */
  readonly fileSystem?: LogFileSystem;
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
  readonly fileSystem: LogFileSystem;
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

function parseOptions(options: LogSinkOptions): SinkConfig {
  checkKnownOptions(options, ['dir', 'prefix', 'gzip', 'maxBytes', 'maxAgeMs', 'maxQueueLines', 'maxQueueBytes', 'checkIntervalMs', 'clock', 'fileSystem'], 'RotatingLogSink');
  const prefix = given(options.prefix, 'teacher');
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(prefix)) throw optionError('prefix', 'must hold only letters, digits, _ . -', prefix);
  const clock = given(options.clock, Date);
  if (typeof clock?.now !== 'function') throw optionError('clock', 'must have a now() method', clock);
  const dir = given(options.dir, './teacher-logs');
  if (typeof dir !== 'string' || dir === '') throw optionError('dir', 'must be a directory path', dir);
  const gzip = given(options.gzip, true);
  if (typeof gzip !== 'boolean') throw optionError('gzip', 'must be a boolean', gzip);
  const fileSystem = given(options.fileSystem, NODE_FILE_SYSTEM);
  const fileSystemMethods = ['open', 'rename', 'unlink'] as const;
  if (!isOptionsObject(fileSystem) || fileSystemMethods.some((m) => typeof fileSystem[m] !== 'function')) {
    throw optionError('fileSystem', 'must have open, rename and unlink', fileSystem);
  }
  return {
    dir,
    prefix,
    gzip,
    maxBytes: intOption('maxBytes', options.maxBytes, 64 * 1024 * 1024),
    maxAgeMs: intOption('maxAgeMs', options.maxAgeMs, 3_600_000),
    maxQueueLines: intOption('maxQueueLines', options.maxQueueLines, 10_000),
    maxQueueBytes: intOption('maxQueueBytes', options.maxQueueBytes, 64 * 1024 * 1024),
    checkIntervalMs: intOption('checkIntervalMs', options.checkIntervalMs, 60_000, 0),
    clock,
    fileSystem,
  };
}

/** Creates the directory and checks it is writable; a coded error naming it otherwise. */
function prepareDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw autofasError('ERR_AUTOFAS_LOG_DIR', `teacher-log directory ${JSON.stringify(resolve(dir))} cannot be used (${code})`, { dir, code }, err);
  }
}

/**
 * Appends lines to rotating files; `write()` never blocks: it queues or drops. Files appear complete (renamed from
 * `.part`); a line counts as written once the OS took its bytes, a batch that fails is dropped as `write-error`.
 */
export class RotatingLogSink extends EventEmitter<LogSinkEventMap> {
  readonly config: SinkConfig;
  private queue: string[] = [];
  private queuedBytes = 0;
  private running = false;
  private idle: Promise<void> = Promise.resolve();
  private current: LogFile | null = null;
  private closed = false;
  private seq = 0;
  private written = 0;
  private readonly dropped: Record<DropReason, number> = { 'queue-full': 0, closed: 0, 'write-error': 0 };
  private readonly files: string[] = [];
  private readonly timer: NodeJS.Timeout | null;

  constructor(options: LogSinkOptions = {}) {
    super();
    this.config = parseOptions(options);
    prepareDir(this.config.dir);
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

  /** Resolves once every queued line reached the disk or was dropped; never rejects. */
  async flush(): Promise<void> {
    while (this.running) await this.idle;
  }

  /** Writes what is queued, completes the current file and stops; later writes are dropped and counted. Never rejects. */
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

  private isDue(file: LogFile): boolean {
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

  /** Writes a batch in chunks that end where a file rotates; a failing chunk is dropped and its file completed. */
  private async writeBatch(lines: readonly string[]): Promise<void> {
    let chunk = '';
    let chunkLines = 0;
    let chunkBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line) + 1;
      if (chunkLines > 0 && (this.current?.bytes ?? 0) + chunkBytes >= this.config.maxBytes) {
        await this.writeChunk(chunk, chunkLines);
        chunk = '';
        chunkLines = 0;
        chunkBytes = 0;
      }
      if (chunkLines === 0 && this.current && this.isDue(this.current)) await this.closeCurrent();
      chunk += `${line}\n`;
      chunkLines += 1;
      chunkBytes += bytes;
    }
    await this.writeChunk(chunk, chunkLines);
  }

  private async writeChunk(chunk: string, lines: number): Promise<void> {
    if (lines === 0) return;
    try {
      this.current ??= await this.open();
      await this.current.append(chunk, lines);
    } catch (err) {
      this.emit('write-error', err as Error);
      this.drop('write-error', lines);
      await this.closeCurrent(); // keeps what reached the disk; the next chunk starts a fresh file
      return;
    }
    this.written += lines;
    this.emit('written', { lines, bytes: Buffer.byteLength(chunk) });
  }

  private open(): Promise<LogFile> {
    const now = this.config.clock.now();
    const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const name = `${this.config.prefix}-${stamp}-${process.pid}-${String(this.seq++).padStart(4, '0')}.jsonl${this.config.gzip ? '.gz' : ''}`;
    return LogFile.open(this.config.fileSystem, join(this.config.dir, name), now, this.config.gzip);
  }

  private async closeCurrent(): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = null;
    try {
      const file = await current.complete();
      if (!file) return;
      this.files.push(file);
      this.emit('rotate', { file, lines: current.lines, bytes: current.bytes });
    } catch (err) {
      this.emit('write-error', err as Error);
    }
  }
}
