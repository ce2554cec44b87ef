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

/** The first value a compiled encoder could not encode: which feature (index), which input row, and why. */
export interface EncodeProblem {
  readonly feature: number;
  readonly row: number;
  readonly problem: ValueProblem;
}

/**
 * Encodes `count` rows of raw values into columns of one buffer (`f32` and `i32` are views of it): feature `k` of row
 * `j` goes to `bases[k] + at[j] * width_k` (`at` null: row `j` itself). Missing values are counted per feature in
 * `missing`. Returns the first problem (the rows before it are encoded), or null.
 */
export type RowEncoder = (
  rows: ArrayLike<unknown>,
  count: number,
  at: ArrayLike<number> | null,
  f32: Float32Array,
  i32: Int32Array,
  bases: ArrayLike<number>,
  missing: Uint32Array,
) => EncodeProblem | null;

const MEMO_LIMIT = 1 << 16;
const NO_VALUES: Readonly<Record<string, unknown>> = Object.freeze({});

/** The generated statements for feature `k`: a fast path for well-typed values, `encodeValueInto` for the rest. */
function featureStatements(feature: Feature, k: number): string {
  const read = `v = o[${JSON.stringify(feature.name)}];`;
  const slow = `{ const p = slow(${k}, v, i); if (p !== null) return { feature: ${k}, row: j, problem: p }; }`;
  const missing = `if (v === undefined || v === null) { missing[${k}]++; ${slow} }`;
  if (feature.type === 'numeric') {
    return `${read} if (typeof v === 'number' && v - v === 0) f32[b${k} + i] = v; else ${missing} else ${slow}`;
  }
  if (feature.type === 'categorical') {
    const lookup = `c = memo${k}.get(v); if (c === undefined) { c = index(${k}, v); if (memo${k}.size < ${MEMO_LIMIT}) memo${k}.set(v, c); } i32[b${k} + i] = c;`;
    return `${read} if (typeof v === 'string') { ${lookup} } else ${missing} else ${slow}`;
  }
  const d = feature.dim;
  const copy = `s = b${k} + i * ${d}; for (t = 0; t < ${d}; t++) { x = v[t]; if (typeof x !== 'number' || x - x !== 0) break; f32[s + t] = x; }`;
  return `${read} if ((Array.isArray(v) || ArrayBuffer.isView(v)) && v.length === ${d}) { ${copy} if (t < ${d}) ${slow} } else ${missing} else ${slow}`;
}

/**
 * Compiles the encoder of `features` over rows of raw values (objects keyed by feature name, or their `field`): one
 * pass over the rows, every value read by a constant property name, well-typed values written directly, anything
 * else (missing, defaults, bad values) through `encodeValueInto`, so it gives exactly the shared encoder's numbers.
 */
export function compileRowEncoder(features: readonly Feature[], field?: string): RowEncoder {
  const slowFns = features.map((feature) => {
    const width = featureWidth(feature);
    return (value: unknown, i: number, f32: Float32Array, i32: Int32Array, base: number): ValueProblem | null =>
      encodeValueInto(feature, value, feature.type === 'categorical' ? i32 : f32, base + i * width);
  });
  const memos = features.map(() => new Map<string, number>());
  const index = (k: number, value: string): number => categoryIndex(features[k] as CategoricalFeature, value);
  const row = field === undefined ? 'rows[j] ?? EMPTY' : `rows[j]?.[${JSON.stringify(field)}] ?? EMPTY`;
  const source = `
    return function encodeRows(rows, count, at, f32, i32, bases, missing) {
      const slow = (k, v, i) => slowFns[k](v, i, f32, i32, bases[k]);
      ${features.map((_, k) => `const b${k} = bases[${k}]; const memo${k} = memos[${k}];`).join(' ')}
      let v, c, s, t, x;
      for (let j = 0; j < count; j++) {
        const i = at === null ? j : at[j];
        const o = ${row};
        ${features.map(featureStatements).join('\n        ')}
      }
      return null;
    };`;
  return new Function('slowFns', 'memos', 'index', 'EMPTY', source)(slowFns, memos, index, NO_VALUES) as RowEncoder;
}
