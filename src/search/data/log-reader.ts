// Streams the lines of a teacher log (.jsonl, or gzip detected by its magic bytes) with 1-based line numbers, and their JSON values.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { autofasError } from '../../schema/errors.js';

/** One physical line of a log file (without its line break). */
export interface LogLine {
  readonly text: string;
  /** 1-based line number in the (decompressed) file. */
  readonly line: number;
  /** Decompressed bytes consumed so far, including this line. */
  readonly bytes: number;
}

const NEWLINE = 0x0a;

/** Refuses what cannot be a log file (missing, a directory) with an error naming the path. */
async function checkLogFile(path: string): Promise<void> {
  const info = await stat(path).catch((err: Error) => {
    throw autofasError('ERR_AUTOFAS_LOG_READ', `${path}: cannot read (${err.message})`, { file: path }, err);
  });
  if (info.isDirectory()) {
    throw autofasError('ERR_AUTOFAS_LOG_READ', `${path}: is a directory; pass the log files in it (.jsonl or .jsonl.gz)`, { file: path });
  }
}

/** True when the file starts with the gzip magic bytes 1f 8b (or its name ends in .gz). */
async function isGzipFile(path: string): Promise<boolean> {
  await checkLogFile(path);
  if (path.endsWith('.gz')) return true;
  const handle = await open(path, 'r').catch((err: Error) => {
    throw autofasError('ERR_AUTOFAS_LOG_READ', `${path}: cannot read (${err.message})`, { file: path }, err);
  });
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function openSource(path: string, gzip: boolean): Readable {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  if (!gzip) return file;
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  file.on('error', (err) => gunzip.destroy(err));
  return file.pipe(gunzip);
}

function sourceError(path: string, gzip: boolean, err: NodeJS.ErrnoException): Error {
  const isZlib = gzip && (err.code?.startsWith('Z_') || /gzip|header|end of file|zlib/i.test(err.message));
  if (isZlib) return autofasError('ERR_AUTOFAS_LOG_GZIP', `${path}: not a readable gzip file (${err.message})`, { file: path }, err);
  return autofasError('ERR_AUTOFAS_LOG_READ', `${path}: cannot read (${err.message})`, { file: path }, err);
}

/** Yields every line of `path`, decompressing gzip; read and gzip failures become coded errors. */
export async function* readLogLines(path: string): AsyncGenerator<LogLine> {
  const gzip = await isGzipFile(path);
  const source = openSource(path, gzip);
  let pending: Buffer[] = [];
  let line = 0;
  let bytes = 0;
  const emit = (parts: Buffer[]): LogLine => {
    const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    const end = buf.length > 0 && buf[buf.length - 1] === 0x0d ? buf.length - 1 : buf.length;
    bytes += buf.length + 1;
    line += 1;
    return { text: buf.toString('utf8', 0, end), line, bytes };
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
        pending.push(chunk.subarray(start, nl));
        yield emit(pending);
        pending = [];
        start = nl + 1;
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
    }
  } catch (err) {
    throw sourceError(path, gzip, err as NodeJS.ErrnoException);
  } finally {
    source.destroy();
  }
  if (pending.length > 0) yield emit(pending);
}

/** The JSON value of one log line, or ERR_AUTOFAS_LOG_PARSE naming the file and line. */
export function parseLogLine(file: string, line: number, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw autofasError('ERR_AUTOFAS_LOG_PARSE', `${file} line ${line}: not valid JSON (${(err as Error).message})`, { file, line }, err);
  }
}

/** Yields the JSON value of every non-blank line of `path` with its line number; a line that is not JSON throws (parseLogLine). */
export async function* readLogRecords(path: string): AsyncGenerator<{ readonly record: unknown; readonly line: number }> {
  for await (const { text, line } of readLogLines(path)) {
    if (text.trim() !== '') yield { record: parseLogLine(path, line, text), line };
  }
}
