// Key layout and value encoding of the Redis feature store, shared by the plugin's store, `autofas store load` and the profiler.
import { autofasError, describeValue } from '../schema/errors.js';
import type { Feature } from '../schema/feature-spec.js';
import type { RawFeatureValue } from '../schema/teacher-log.js';

/**
 * One hash per feature, one field per item: a request's batch of a feature is one `HMGET key id1 .. idN`, so a request
 * costs one command per selected feature (not one per candidate), and a feature's cost is one batched read of it.
 * Cross features add the request's key (the values of the context fields `crossKeys` names, joined by `|`).
 */
export const redisKeys = {
  item: (prefix: string, feature: string): string => `${prefix}item:${feature}`,
  cross: (prefix: string, feature: string, contextKey: string): string => `${prefix}cross:${feature}:${contextKey}`,
  /** Where `autofas profile --store` writes spec-shaped values of a feature that has no loaded data (deleted afterwards). */
  probe: (prefix: string, feature: string): string => `${prefix}profile:${feature}`,
} as const;

/** The default key prefix. */
export const DEFAULT_KEY_PREFIX = 'autofas:';

/**
 * A value as stored: numeric = shortest decimal string (`String(x)`), categorical = its string form (the encoder
 * indexes `3` and `"3"` alike), vector = `dim` float32 little-endian bytes. Throws ERR_AUTOFAS_STORE for a value the
 * feature cannot take, naming feature and value.
 */
export function encodeStoreValue(feature: Feature, value: RawFeatureValue): string | Buffer {
  if (feature.type === 'numeric' && typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (feature.type === 'categorical' && (typeof value === 'string' || Number.isInteger(value))) return String(value);
  if (feature.type === 'vector' && Array.isArray(value) && value.length === feature.dim && value.every(Number.isFinite)) {
    const bytes = Buffer.allocUnsafe(feature.dim * 4);
    for (let j = 0; j < feature.dim; j++) bytes.writeFloatLE(value[j], j * 4);
    return bytes;
  }
  throw autofasError('ERR_AUTOFAS_STORE', `feature ${feature.name} (${feature.type}) cannot store ${describeValue(value)}`, { feature: feature.name });
}

/** A stored value that does not decode as its feature's type: the request falls back, and the store counts it. */
function badValue(feature: Feature, key: string, id: string, reply: Buffer): Error {
  const shown = feature.type === 'vector' ? `${reply.length} bytes` : describeValue(reply.toString('utf8'));
  return autofasError('ERR_AUTOFAS_STORE', `${key} field ${id}: not a ${feature.type} value for ${feature.name} (${shown})`, { feature: feature.name, key, id });
}

/**
 * Decodes one feature's HMGET reply (null = missing) into `rows` (a row is created on its first value). Vectors become
 * plain number arrays: cached rows holding typed-array views kept the warm plugin 3-4x slower in `bench/serve-redis`.
 * Throws ERR_AUTOFAS_STORE on a value that is not of the feature's type.
 */
export function decodeStoreColumn(feature: Feature, key: string, ids: readonly string[], replies: readonly (Buffer | null)[], rows: (Record<string, RawFeatureValue> | undefined)[]): void {
  const name = feature.name;
  const scratch = feature.type === 'vector' ? new Float32Array(feature.dim) : null;
  for (let i = 0; i < ids.length; i++) {
    const reply = replies[i];
    if (reply === null || reply === undefined) continue;
    let value: RawFeatureValue | undefined;
    if (scratch) value = decodeVector(scratch, reply);
    else if (feature.type === 'numeric') value = decodeNumber(reply);
    else value = reply.toString('utf8');
    if (value === undefined) throw badValue(feature, key, ids[i], reply);
    (rows[i] ??= {})[name] = value;
  }
}

function decodeNumber(reply: Buffer): number | undefined {
  if (reply.length === 0) return undefined;
  const v = Number(reply.toString('latin1'));
  return Number.isFinite(v) ? v : undefined;
}

/** `dim` float32 LE bytes as a number array (through `scratch`: the reply buffer may be unaligned); undefined when malformed. */
function decodeVector(scratch: Float32Array, reply: Buffer): number[] | undefined {
  if (reply.length !== scratch.length * 4) return undefined;
  new Uint8Array(scratch.buffer).set(reply);
  const out = new Array<number>(scratch.length);
  for (let j = 0; j < scratch.length; j++) {
    const x = scratch[j];
    if (x - x !== 0) return undefined;
    out[j] = x;
  }
  return out;
}
