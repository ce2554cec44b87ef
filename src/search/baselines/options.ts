// Options of the baseline trainer (`autofas train`): one Options type, one parseOptions with every default. The
// training fields mean what they mean for the searched model's retrain and default to the same values.
import { optionError } from '../../schema/errors.js';
import { intOption, numberOption, widthsOption } from '../../schema/option-values.js';
import type { Dataset } from '../data/dataset-types.js';
import type { DistillMode, StepStatus } from '../search/config.js';

/** The baselines this module trains. */
export const BASELINE_KINDS = ['vector', 'dnn-all', 'cold'] as const;
export type BaselineKind = (typeof BASELINE_KINDS)[number];

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
  readonly vectorDim?: number;
  /** Embedding width of each categorical feature. @default 8 (as the search) */
  readonly embeddingDim?: number;
  /** Training epochs (an epoch samples as many rows as the training split holds). @default 6 (as the retrain) */
  readonly epochs?: number;
  /** Requests per minibatch. @default 4 (as the search) */
  readonly requestsPerBatch?: number;
  /** Candidates sampled per request in a minibatch. @default 256 (as the search) */
  readonly candidatesPerRequest?: number;
  /** Distillation form. @default 'listwise' (as the search) */
  readonly distill?: DistillMode;
  /** Weight of distillation against the task loss. @default 0.7 (as the search) */
  readonly lambda1?: number;
  /** Adam learning rate (half-cosine decay over the epochs). @default 0.003 (as the search) */
  readonly learningRate?: number;
  /** Seed of initialisation and sampling. @default 1 */
  readonly seed?: number;
  /** ORT intra-op threads. @default 1 */
  readonly threads?: number;
  /** Requests the per-epoch validation Recall@K is measured on. @default none */
  readonly validation?: Dataset;
  /** K of the validation Recall@K. @default 100 */
  readonly recallK?: number;
  /** Teacher top-set size of the validation Recall@K. @default 10 */
  readonly recallTop?: number;
  /** Called after every training step. @default undefined */
  readonly onStep?: (status: StepStatus) => void;
}

export type BaselineConfig = Required<Omit<TrainBaselineOptions, 'validation' | 'onStep' | 'features' | 'keepFeatures'>> &
  Pick<TrainBaselineOptions, 'validation' | 'onStep' | 'features' | 'keepFeatures'>;

/** Every default of the baseline trainer. */
export function parseBaselineOptions(options: TrainBaselineOptions = {}): BaselineConfig {
  const kind = options.kind ?? 'dnn-all';
  if (!BASELINE_KINDS.includes(kind)) throw optionError('kind', `must be one of ${BASELINE_KINDS.join(', ')}`, kind);
  const distill = options.distill ?? 'listwise';
  if (distill !== 'pointwise' && distill !== 'listwise') throw optionError('distill', "must be 'pointwise' or 'listwise'", distill);
  return {
    kind,
    layers: widthsOption('layers', options.layers, [512, 256, 128]),
    towerLayers: options.towerLayers?.length === 0 ? [] : widthsOption('towerLayers', options.towerLayers, [128, 64]),
    vectorDim: intOption('vectorDim', options.vectorDim, 32),
    embeddingDim: intOption('embeddingDim', options.embeddingDim, 8),
    epochs: intOption('epochs', options.epochs, 6),
    requestsPerBatch: intOption('requestsPerBatch', options.requestsPerBatch, 4),
    candidatesPerRequest: intOption('candidatesPerRequest', options.candidatesPerRequest, 256, 2),
    distill,
    lambda1: numberOption('lambda1', options.lambda1, 0.7, 0, 1),
    learningRate: numberOption('learningRate', options.learningRate, 0.003, 0, 1, true),
    seed: intOption('seed', options.seed, 1, 0),
    threads: intOption('threads', options.threads, 1),
    validation: options.validation,
    recallK: intOption('recallK', options.recallK, 100),
    recallTop: intOption('recallTop', options.recallTop, 10),
    onStep: options.onStep,
    features: options.features ? [...options.features] : undefined,
    keepFeatures: options.keepFeatures === undefined ? undefined : intOption('keepFeatures', options.keepFeatures, 1),
  };
}
