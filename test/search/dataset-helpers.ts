// Shared helpers for the dataset loader tests: a small spec and temp log files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseFeatureSpec } from '../../src/schema/feature-spec.js';

export const smallSpec = parseFeatureSpec({
  version: 1,
  features: [
    { name: 'query_cat', side: 'context', type: 'categorical', source: 'request', vocab: ['shoes', 'books', 'food'] },
    { name: 'user_vec', side: 'context', type: 'vector', dim: 3, source: 'store', costUs: 200 },
    { name: 'ctr_7d', side: 'item', type: 'numeric', source: 'store', costUs: 50, default: 0.5 },
    { name: 'item_vec', side: 'item', type: 'vector', dim: 2, source: 'store' },
    { name: 'brand', side: 'item', type: 'categorical', source: 'request', hashBuckets: 16 },
    { name: 'match', side: 'cross', type: 'numeric', source: 'request', costUs: 1 },
  ],
});

/** A valid record with `n` candidates; `i` makes the values differ per request. */
export function goodRecord(i: number, n = 3): Record<string, unknown> {
  return {
    request_id: `r${i}`,
    context: { query_cat: ['shoes', 'books', 'food'][i % 3], user_vec: [i, i + 0.5, -i] },
    candidates: Array.from({ length: n }, (_, j) => ({
      item_id: `item${j}`,
      features: { ctr_7d: 0.1 * j, item_vec: [j, -j], brand: `b${j}`, match: i + j / 10 },
      teacher_score: i - j,
      label: j === 0 ? 1 : 0,
    })),
  };
}

let dir: string | undefined;

/** Writes `lines` (strings used verbatim, objects JSON-encoded) to a temp file; gzip when the name ends in .gz. */
export function writeLog(name: string, lines: readonly (string | object)[], trailingNewline = true): string {
  dir ??= mkdtempSync(join(tmpdir(), 'autofas-dataset-'));
  const text = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + (trailingNewline && lines.length ? '\n' : '');
  const path = join(dir, name);
  writeFileSync(path, name.endsWith('.gz') ? gzipSync(text) : text);
  return path;
}

/** Writes raw bytes to a temp file. */
export function writeRaw(name: string, bytes: Uint8Array | string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'autofas-dataset-'));
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}
