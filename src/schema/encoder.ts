// The one encoder from raw logged feature values to model-input numbers, shared by the searcher and the plugin.
import type { CategoricalFeature, Feature } from './feature-spec.js';
import { featureWidth } from './feature-spec.js';
import { describeValue } from './errors.js';

/** ONNX element type of a feature's model input: categorical features feed int32 indices, the rest float32. */
export type InputDtype = 'float32' | 'int32';

/** How one feature is fed to a model: input name, element type and dims (`N` is the candidate count). */
export interface InputLayout {
  readonly name: string;
  readonly dtype: InputDtype;
  readonly dims: readonly (number | 'N')[];
  readonly width: number;
}

/** Model-input layout of a feature: context inputs have batch 1 (computed once per request), item/cross inputs batch N. */
export function inputLayout(feature: Feature): InputLayout {
  const batch: number | 'N' = feature.side === 'context' ? 1 : 'N';
  const width = featureWidth(feature);
  if (feature.type === 'categorical') return { name: feature.name, dtype: 'int32', dims: [batch], width: 1 };
  return { name: feature.name, dtype: 'float32', dims: [batch, width], width };
}

/** Rows of a categorical feature's embedding table: vocab size + 1 (index 0 = unknown/missing), or the bucket count. */
export function categoricalCardinality(feature: CategoricalFeature): number {
  return feature.vocab ? feature.vocab.length + 1 : (feature.hashBuckets as number);
}

/** 32-bit FNV-1a over the UTF-8 bytes of a string: the hashing used for `hashBuckets` features. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

const vocabIndexCache = new WeakMap<CategoricalFeature, Map<string, number>>();

function vocabIndex(feature: CategoricalFeature): Map<string, number> {
  let index = vocabIndexCache.get(feature);
  if (!index) {
    index = new Map((feature.vocab ?? []).map((v, i) => [String(v), i + 1]));
    vocabIndexCache.set(feature, index);
  }
  return index;
}

/** Index of a categorical value: 1-based vocab position (0 when unknown), or its FNV-1a hash bucket. */
export function categoryIndex(feature: CategoricalFeature, value: string | number): number {
  const key = String(value);
  if (feature.vocab) return vocabIndex(feature).get(key) ?? 0;
  return fnv1a32(key) % (feature.hashBuckets as number);
}

/** A problem with one raw value, phrased for error messages: `expected number, got "abc"`. */
export type ValueProblem = string;

/**
 * Writes the encoded value of `feature` at `out[offset .. offset+width)`. A missing value (undefined or null)
 * takes the declared `default`, else 0 / the unknown category / a zero vector. Returns a problem or null.
 */
export function encodeValueInto(
  feature: Feature,
  value: unknown,
  out: Float32Array | Int32Array,
  offset: number,
): ValueProblem | null {
  const raw = value === undefined || value === null ? feature.default : value;
  if (feature.type === 'numeric') {
    if (raw === undefined) return ((out[offset] = 0), null);
    if (typeof raw !== 'number') return `expected number, got ${describeValue(raw)}`;
    if (!Number.isFinite(raw)) return `expected a finite number, got ${describeValue(raw)}`;
    out[offset] = raw;
    return null;
  }
  if (feature.type === 'categorical') {
    if (raw === undefined) return ((out[offset] = 0), null);
    if (typeof raw === 'string' || (typeof raw === 'number' && Number.isInteger(raw))) {
      out[offset] = categoryIndex(feature, raw);
      return null;
    }
    return `expected string or integer, got ${describeValue(raw)}`;
  }
  return encodeVectorInto(feature.dim, raw, out, offset);
}

function encodeVectorInto(dim: number, raw: unknown, out: Float32Array | Int32Array, offset: number): ValueProblem | null {
  if (raw === undefined) {
    out.fill(0, offset, offset + dim);
    return null;
  }
  if (!Array.isArray(raw) && !ArrayBuffer.isView(raw)) return `expected number[${dim}], got ${describeValue(raw)}`;
  const values = raw as ArrayLike<unknown>;
  if (values.length !== dim) return `expected number[${dim}], got an array of length ${values.length}`;
  for (let j = 0; j < dim; j++) {
    const v = values[j];
    if (typeof v !== 'number' || !Number.isFinite(v)) return `expected a finite number at [${j}], got ${describeValue(v)}`;
    out[offset + j] = v;
  }
  return null;
}

/** Allocates the typed array that holds `rows` encoded values of a feature. */
export function allocateColumn(feature: Feature, rows: number): Float32Array | Int32Array {
  const size = rows * featureWidth(feature);
  return feature.type === 'categorical' ? new Int32Array(size) : new Float32Array(size);
}
