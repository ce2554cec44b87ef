// Options of the baseline trainer (`autofas train`): one Options type, one parseOptions with every default.
import { optionError } from '../../schema/errors.js';
import type { Dataset } from '../data/dataset-types.js';

/** The baselines this module trains. */
export const BASELINE_KINDS = ['vector', 'dnn-all', 'cold'] as const;
export type BaselineKind = (typeof BASELINE_KINDS)[number];

/** How the student is fit to the teacher. */
export type DistillMode = 'pointwise' | 'listwise' | 'both';

/** Progress after an evaluation point of the training loop. */
export interface BaselineProgress {
  readonly step: number;
  readonly steps: number;
  /** Mean training loss since the previous report. */
  readonly loss: number;
  /** Validation Recall@K, when a validation set was given. */
  readonly validRecall?: number;
}

export interface TrainBaselineOptions {
  /** Which baseline. @default 'dnn-all' */
  readonly kind?: BaselineKind;
  /** Restrict the model to these features (spec order is kept). @default every feature of the spec */
  readonly features?: readonly string[];
  /** cold: how many features the SE-block importance keeps. @default half of the features, rounded up */
  readonly keepFeatures?: number;
  /** dnn-all and cold hidden widths (COLD-style). @default [512, 256, 128] */
  readonly layers?: readonly number[];
  /** vector: hidden widths of each tower. @default [128, 64] */
  readonly towerLayers?: readonly number[];
  /** vector: width of the context and item embeddings whose dot product is the score. @default 32 */
  readonly embeddingDim?: number;
  /** Embedding width of each categorical feature. @default 8 */
  readonly categoricalDim?: number;
  /** Optimiser steps. @default 1500 */
  readonly steps?: number;
  /** Requests per batch. @default 16 */
  readonly batchRequests?: number;
  /** Candidates sampled per request per batch. @default 128 */
  readonly sample?: number;
  /** Share of each request's sample drawn from the teacher's top 2 x sample. @default 0.5 */
  readonly headShare?: number;
  /** Temperature of the listwise target softmax over standardised teacher scores. @default 0.5 */
  readonly temperature?: number;
  /** Distillation loss: MSE to standardised teacher scores, listwise cross-entropy, or their sum. @default 'both' */
  readonly distill?: DistillMode;
  /** Adam learning rate. @default 0.002 */
  readonly lr?: number;
  /** Seed of initialisation and sampling. @default 1 */
  readonly seed?: number;
  /** ORT intra-op threads. @default 1 */
  readonly threads?: number;
  /** Steps between validation checks (the best checkpoint is kept). @default 250 */
  readonly evalEvery?: number;
  /** Requests to keep the best checkpoint on; none means the last step's weights. @default undefined */
  readonly validation?: Dataset;
  /** K of the validation Recall@K. @default 100 */
  readonly k?: number;
  /** Teacher top-set size of the validation Recall@K. @default 10 */
  readonly top?: number;
  /** Called at every evaluation point. @default undefined */
  readonly onProgress?: (progress: BaselineProgress) => void;
}

export type BaselineConfig = Required<Omit<TrainBaselineOptions, 'validation' | 'onProgress' | 'features' | 'keepFeatures'>> &
  Pick<TrainBaselineOptions, 'validation' | 'onProgress' | 'features' | 'keepFeatures'>;

function int(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min) throw optionError(name, `must be an integer >= ${min}`, v);
  return v;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw optionError(name, 'must be a finite number > 0', v);
  return v;
}

function widths(name: string, value: readonly number[] | undefined, fallback: readonly number[]): readonly number[] {
  const v = value ?? fallback;
  if (!Array.isArray(v) || v.some((w) => !Number.isInteger(w) || w < 1)) throw optionError(name, 'must be a list of positive integers', v);
  return [...v];
}

/** Every default of the baseline trainer. */
export function parseBaselineOptions(options: TrainBaselineOptions = {}): BaselineConfig {
  const kind = options.kind ?? 'dnn-all';
  if (!BASELINE_KINDS.includes(kind)) throw optionError('kind', `must be one of ${BASELINE_KINDS.join(', ')}`, kind);
  const distill = options.distill ?? 'both';
  if (!['pointwise', 'listwise', 'both'].includes(distill)) throw optionError('distill', "must be 'pointwise', 'listwise' or 'both'", distill);
  const headShare = options.headShare ?? 0.5;
  if (!(headShare >= 0 && headShare <= 1)) throw optionError('headShare', 'must be in [0, 1]', headShare);
  const layers = widths('layers', options.layers, [512, 256, 128]);
  if (layers.length === 0) throw optionError('layers', 'must hold at least one width', layers);
  return {
    kind,
    layers,
    towerLayers: widths('towerLayers', options.towerLayers, [128, 64]),
    embeddingDim: int('embeddingDim', options.embeddingDim, 32),
    categoricalDim: int('categoricalDim', options.categoricalDim, 8),
    steps: int('steps', options.steps, 1500),
    batchRequests: int('batchRequests', options.batchRequests, 16),
    sample: int('sample', options.sample, 128, 2),
    headShare,
    temperature: positive('temperature', options.temperature, 0.5),
    distill,
    lr: positive('lr', options.lr, 0.002),
    seed: int('seed', options.seed, 1, 0),
    threads: int('threads', options.threads, 1),
    evalEvery: int('evalEvery', options.evalEvery, 250),
    validation: options.validation,
    k: int('k', options.k, 100),
    top: int('top', options.top, 10),
    onProgress: options.onProgress,
    features: options.features ? [...options.features] : undefined,
    keepFeatures: options.keepFeatures === undefined ? undefined : int('keepFeatures', options.keepFeatures, 1),
  };
}
