// `autofas store load`: the latest value of every store item feature found in teacher logs, written to Redis in batches.
import type { Redis } from 'ioredis';
import { autofasError, describeValue } from '../schema/errors.js';
import type { Feature, FeatureSpec } from '../schema/feature-spec.js';
import type { RawFeatureValue } from '../schema/teacher-log.js';
import { readLogRecords } from '../search/data/log-reader.js';
import { encodeStoreValue, redisKeys } from '../serve/redis-layout.js';

/** Item id -> feature name -> latest encoded value. */
export type StoreValues = Map<string, Map<string, string | Buffer>>;

/** The spec's item features read from the store (`side: "item"`, `source: "store"`): what `store load` writes. */
export function storeItemFeatures(spec: FeatureSpec): Feature[] {
  return spec.features.filter((f) => f.side === 'item' && f.source === 'store');
}

function logFieldError(file: string, line: number, field: string, message: string): Error {
  return autofasError('ERR_AUTOFAS_LOG_FIELD', `${file} line ${line}: ${field}: ${message}`, { file, line, field });
}

/** Reads the logs in order; later lines overwrite earlier values of the same item. Bad JSON or a bad value stops with a coded error naming file, line and field. */
export async function collectItemValues(paths: readonly string[], features: readonly Feature[], onLines?: (lines: number) => void): Promise<{ values: StoreValues; lines: number }> {
  const values: StoreValues = new Map();
  let lines = 0;
  for (const file of paths) {
    for await (const { record: value, line } of readLogRecords(file)) {
      const record = value as { candidates?: unknown } | null;
      if (!Array.isArray(record?.candidates)) throw logFieldError(file, line, 'candidates', `expected an array, got ${describeValue(record?.candidates)}`);
      record.candidates.forEach((c: { item_id?: unknown; features?: Record<string, RawFeatureValue> }, i: number) => {
        if (typeof c?.item_id !== 'string' || c.item_id === '') throw logFieldError(file, line, `candidates[${i}].item_id`, `expected a non-empty string, got ${describeValue(c?.item_id)}`);
        addCandidate(values, c.item_id, c.features ?? {}, features, (name, err) => logFieldError(file, line, `candidates[${i}].features.${name}`, err.message));
      });
      if (++lines % 1000 === 0) onLines?.(lines);
    }
  }
  onLines?.(lines);
  return { values, lines };
}

function addCandidate(values: StoreValues, id: string, raw: Record<string, RawFeatureValue>, features: readonly Feature[], fail: (name: string, err: Error) => Error): void {
  let row = values.get(id);
  for (const feature of features) {
    const value = raw[feature.name];
    if (value === undefined || value === null) continue;
    if (!row) values.set(id, (row = new Map()));
    try {
      row.set(feature.name, encodeStoreValue(feature, value));
    } catch (err) {
      throw fail(feature.name, err as Error);
    }
  }
}

/** Writes the values feature by feature (`HSET key id value ...`, `batch` fields per command, pipelined); returns the values written. */
export async function writeItemValues(client: Redis, values: StoreValues, features: readonly Feature[], prefix: string, batch = 1000, onWritten?: (n: number) => void): Promise<number> {
  let written = 0;
  for (const feature of features) {
    const key = redisKeys.item(prefix, feature.name);
    let args: (string | Buffer)[] = [];
    const pipeline = client.pipeline();
    const push = (): void => {
      if (args.length > 0) pipeline.hset(key, ...args);
      written += args.length / 2;
      args = [];
    };
    for (const [id, row] of values) {
      const value = row.get(feature.name);
      if (value === undefined) continue;
      args.push(id, value);
      if (args.length >= batch * 2) push();
    }
    push();
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([err]) => err);
    if (failed) throw autofasError('ERR_AUTOFAS_STORE', `writing ${key}: ${(failed[0] as Error).message}`, { key });
    onWritten?.(written);
  }
  return written;
}
