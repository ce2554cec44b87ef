// Turns a model card into a feed plan (which features, from where) and encodes one request into ONNX feeds with the shared encoder.
import { autofasError } from '../schema/errors.js';
import type { AutofasErrorCode } from '../schema/errors.js';
import { allocateColumn, encodeValueInto, inputLayout } from '../schema/encoder.js';
import type { InputDtype } from '../schema/encoder.js';
import type { Feature } from '../schema/feature-spec.js';
import type { ModelCard } from '../schema/model-card.js';
import type { RawFeatureValue } from '../schema/teacher-log.js';
import type { ItemFeatures } from './option-types.js';
import type { Candidate } from './types.js';

/** One model input and where its values come from. */
export interface PlannedInput {
  readonly feature: Feature;
  readonly input: string;
  readonly dtype: InputDtype;
  readonly width: number;
}

/** The inputs of a model grouped by source, computed once per loaded model. */
export interface FeaturePlan {
  readonly modelId: string;
  /** Context features, encoded once per request (batch 1). */
  readonly context: readonly PlannedInput[];
  /** Item and cross features carried by the candidates. */
  readonly request: readonly PlannedInput[];
  /** Item-side features fetched from the item store (cacheable by item id). */
  readonly stored: readonly PlannedInput[];
  /** Names of `stored` features: the only ones asked of the store. */
  readonly storeFeatureNames: readonly string[];
  /** Cross features fetched from the store: they depend on the request, so they are never cached. */
  readonly storedCross: readonly PlannedInput[];
  readonly storeCrossNames: readonly string[];
}

/** Store rows of one request, aligned with the candidates. */
export interface StoreRows {
  readonly item: readonly (ItemFeatures | undefined)[] | null;
  readonly cross: readonly (ItemFeatures | undefined)[] | null;
}

/** An ONNX feed as plain data (it crosses the worker boundary with its buffer transferred). */
export interface Feed {
  readonly name: string;
  readonly dtype: InputDtype;
  readonly dims: readonly number[];
  readonly data: Float32Array | Int32Array;
}

/** Builds the feed plan of a card. */
export function planFeatures(card: ModelCard): FeaturePlan {
  const context: PlannedInput[] = [];
  const request: PlannedInput[] = [];
  const stored: PlannedInput[] = [];
  const storedCross: PlannedInput[] = [];
  for (const input of card.inputs) {
    const layout = inputLayout(input.feature);
    const planned = { feature: input.feature, input: input.input, dtype: layout.dtype, width: layout.width };
    if (input.feature.side === 'context') context.push(planned);
    else if (input.feature.source === 'request') request.push(planned);
    else if (input.feature.side === 'cross') storedCross.push(planned);
    else stored.push(planned);
  }
  const names = (list: PlannedInput[]): string[] => list.map((p) => p.feature.name);
  return { modelId: card.modelId, context, request, stored, storeFeatureNames: names(stored), storedCross, storeCrossNames: names(storedCross) };
}

function badInput(code: AutofasErrorCode, field: string, message: string): Error {
  return autofasError(code, `${field}: ${message}`, { field });
}

function feedDims(planned: PlannedInput, rows: number): number[] {
  return planned.dtype === 'int32' ? [rows] : [rows, planned.width];
}

/** Encodes the context features (once per request); throws ERR_AUTOFAS_BAD_CONTEXT naming the field. */
export function encodeContext(plan: FeaturePlan, context: Readonly<Record<string, RawFeatureValue>>): Feed[] {
  return plan.context.map((planned) => {
    const data = allocateColumn(planned.feature, 1);
    const problem = encodeValueInto(planned.feature, context[planned.feature.name], data, 0);
    if (problem) throw badInput('ERR_AUTOFAS_BAD_CONTEXT', `context.${planned.feature.name}`, problem);
    return { name: planned.input, dtype: planned.dtype, dims: feedDims(planned, 1), data };
  });
}

/**
 * Encodes the item and cross features of the first `rows` candidates, column by column. Store features come from the
 * store rows, else from the candidate itself when the matching hop carried them. Throws ERR_AUTOFAS_BAD_CANDIDATES
 * naming the candidate and feature.
 */
export function encodeItems(plan: FeaturePlan, candidates: readonly Candidate[], rows: number, store: StoreRows | null): Feed[] {
  const feeds: Feed[] = [];
  for (const planned of plan.request) feeds.push(encodeColumn(planned, candidates, rows, null));
  for (const planned of plan.stored) feeds.push(encodeColumn(planned, candidates, rows, store?.item ?? null));
  for (const planned of plan.storedCross) feeds.push(encodeColumn(planned, candidates, rows, store?.cross ?? null));
  return feeds;
}

type StoreColumn = readonly (ItemFeatures | undefined)[] | null;

/** The raw value of one feature for candidate `i`: its store row's value, else the candidate's own. */
function rawValue(candidates: readonly Candidate[], source: StoreColumn, i: number, name: string): unknown {
  const row = source === null ? undefined : source[i];
  const v = row === undefined ? undefined : row[name];
  return v !== undefined ? v : candidates[i].features?.[name];
}

/**
 * Encodes one column. Finite numbers (numeric) and finite number arrays of the right length (vector) are copied as
 * they are, which is what the shared encoder does with them; every other value goes through `encodeValueInto`.
 */
function encodeColumn(planned: PlannedInput, candidates: readonly Candidate[] | null, rows: number, source: StoreColumn): Feed {
  const { feature, width } = planned;
  const data = allocateColumn(feature, rows);
  const slow = (i: number, value: unknown): void => {
    const problem = encodeValueInto(feature, value, data, i * width);
    if (problem) throw badInput('ERR_AUTOFAS_BAD_CANDIDATES', `candidates[${i}].features.${feature.name}`, problem);
  };
  if (candidates === null) for (let i = 0; i < rows; i++) slow(i, undefined);
  else if (feature.type === 'numeric') encodeNumbers(candidates, source, feature.name, data as Float32Array, rows, slow);
  else if (feature.type === 'categorical') encodeCategories(candidates, source, feature, data as Int32Array, rows, slow);
  else encodeVectors(candidates, source, feature.name, data as Float32Array, rows, width, slow);
  return { name: planned.input, dtype: planned.dtype, dims: feedDims(planned, rows), data };
}

type Slow = (i: number, value: unknown) => void;

function encodeNumbers(candidates: readonly Candidate[], source: StoreColumn, name: string, data: Float32Array, rows: number, slow: Slow): void {
  for (let i = 0; i < rows; i++) {
    const v = rawValue(candidates, source, i, name);
    if (typeof v === 'number' && v - v === 0) data[i] = v;
    else slow(i, v);
  }
}

function encodeVectors(candidates: readonly Candidate[], source: StoreColumn, name: string, data: Float32Array, rows: number, width: number, slow: Slow): void {
  for (let i = 0; i < rows; i++) {
    const v = rawValue(candidates, source, i, name);
    if (!copyVector(v, data, i * width, width)) slow(i, v);
  }
}

const MEMO_LIMIT = 1 << 16;
const categoryMemos = new WeakMap<Feature, Map<string, number>>();

/** Categorical strings through a per-feature memo of the shared encoder's answers (hashing and vocab lookups once). */
function encodeCategories(candidates: readonly Candidate[], source: StoreColumn, feature: Feature, data: Int32Array, rows: number, slow: Slow): void {
  let memo = categoryMemos.get(feature);
  if (!memo) categoryMemos.set(feature, (memo = new Map()));
  for (let i = 0; i < rows; i++) {
    const v = rawValue(candidates, source, i, feature.name);
    const hit = typeof v === 'string' ? memo.get(v) : undefined;
    if (hit !== undefined) {
      data[i] = hit;
      continue;
    }
    slow(i, v);
    if (typeof v === 'string' && memo.size < MEMO_LIMIT) memo.set(v, data[i]);
  }
}

function copyVector(v: unknown, out: Float32Array, offset: number, width: number): boolean {
  if (v instanceof Float32Array) return copyFloat32(v, out, offset, width);
  if (!Array.isArray(v) || v.length !== width) return false;
  for (let j = 0; j < width; j++) {
    const x = v[j];
    if (typeof x !== 'number' || x - x !== 0) return false;
    out[offset + j] = x;
  }
  return true;
}

/** A Float32Array value (e.g. a view into a store's embedding table): copied with a finiteness check. */
function copyFloat32(v: Float32Array, out: Float32Array, offset: number, width: number): boolean {
  if (v.length !== width) return false;
  for (let j = 0; j < width; j++) {
    const x = v[j];
    if (x - x !== 0) return false;
    out[offset + j] = x;
  }
  return true;
}

/** A batch of `rows` default-valued items (warm-up runs and context-only runs). */
export function defaultItemFeeds(plan: FeaturePlan, rows: number): Feed[] {
  return [...plan.request, ...plan.stored, ...plan.storedCross].map((planned) => encodeColumn(planned, null, rows, null));
}
