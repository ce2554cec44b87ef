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
  for (const planned of plan.request) {
    const name = planned.feature.name;
    feeds.push(encodeColumn(planned, rows, (i) => candidates[i].features?.[name]));
  }
  const fromStore = (planned: PlannedInput, source: readonly (ItemFeatures | undefined)[] | null | undefined): void => {
    const name = planned.feature.name;
    feeds.push(encodeColumn(planned, rows, (i) => source?.[i]?.[name] ?? candidates[i].features?.[name]));
  };
  for (const planned of plan.stored) fromStore(planned, store?.item);
  for (const planned of plan.storedCross) fromStore(planned, store?.cross);
  return feeds;
}

function encodeColumn(planned: PlannedInput, rows: number, valueAt: (row: number) => unknown): Feed {
  const data = allocateColumn(planned.feature, rows);
  const width = planned.width;
  for (let i = 0; i < rows; i++) {
    const problem = encodeValueInto(planned.feature, valueAt(i), data, i * width);
    if (problem) throw badInput('ERR_AUTOFAS_BAD_CANDIDATES', `candidates[${i}].features.${planned.feature.name}`, problem);
  }
  return { name: planned.input, dtype: planned.dtype, dims: feedDims(planned, rows), data };
}

/** A batch of `rows` default-valued items (warm-up runs and context-only runs). */
export function defaultItemFeeds(plan: FeaturePlan, rows: number): Feed[] {
  return [...plan.request, ...plan.stored, ...plan.storedCross].map((planned) => encodeColumn(planned, rows, () => undefined));
}
