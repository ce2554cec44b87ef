// ORT feeds for a model card from the columnar dataset: one request's rows (views, no copy) or a fixed-size batch.
import type { Feeds } from '../../graph/runtime.js';
import { autofasError } from '../../schema/errors.js';
import type { CardInput, ModelCard } from '../../schema/model-card.js';
import type { Column, Dataset } from '../data/dataset-types.js';

/** The part of a model card that scoring needs: the inputs and the output names. */
export type ScoringCard = Pick<ModelCard, 'inputs' | 'outputs'>;

function column(dataset: Dataset, input: CardInput): { data: Column; perRequest: boolean } {
  const perRequest = input.feature.side === 'context';
  const data = (perRequest ? dataset.context : dataset.columns).get(input.feature.name);
  if (!data) {
    throw autofasError('ERR_AUTOFAS_MODEL_SCHEMA', `the logs hold no column for model input feature "${input.feature.name}"`, {
      feature: input.feature.name,
    });
  }
  return { data, perRequest };
}

function widthOf(input: CardInput): number {
  return input.dims.length > 1 ? (input.dims[1] as number) : 1;
}

function dimsFor(input: CardInput, batch: number): number[] {
  return input.dims.map((d, i) => (i === 0 ? batch : (d as number)));
}

/** Checks that every card input has a column in the dataset (throws ERR_AUTOFAS_MODEL_SCHEMA naming the feature). */
export function checkFeedsAvailable(card: ScoringCard, dataset: Dataset): void {
  for (const input of card.inputs) column(dataset, input);
}

/** Feeds for request `r`: context inputs batch 1, item and cross inputs batch n (subarray views of the columns). */
export function requestFeeds(card: ScoringCard, dataset: Dataset, r: number): Feeds {
  const start = dataset.requestOffsets[r];
  const end = dataset.requestOffsets[r + 1];
  const feeds: Record<string, Feeds[string]> = {};
  for (const input of card.inputs) {
    const { data, perRequest } = column(dataset, input);
    const w = widthOf(input);
    feeds[input.input] = perRequest
      ? { data: data.subarray(r * w, (r + 1) * w), dims: dimsFor(input, 1) }
      : { data: data.subarray(start * w, end * w), dims: dimsFor(input, end - start) };
  }
  return feeds;
}

/** Feeds for one batch of `candidates` rows taken in order from the dataset (wrapping), context of request 0. */
export function batchFeeds(card: ScoringCard, dataset: Dataset, candidates: number): Feeds {
  const feeds: Record<string, Feeds[string]> = {};
  for (const input of card.inputs) {
    const { data, perRequest } = column(dataset, input);
    const w = widthOf(input);
    if (perRequest) {
      feeds[input.input] = { data: data.slice(0, w), dims: dimsFor(input, 1) };
      continue;
    }
    const out = data instanceof Int32Array ? new Int32Array(candidates * w) : new Float32Array(candidates * w);
    for (let i = 0; i < candidates; i++) {
      const row = i % dataset.rows;
      out.set(data.subarray(row * w, (row + 1) * w), i * w);
    }
    feeds[input.input] = { data: out, dims: dimsFor(input, candidates) };
  }
  return feeds;
}
