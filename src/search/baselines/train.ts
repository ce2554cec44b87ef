// Trains a baseline (vector two-tower, dnn-all MLP, or cold's chosen-feature MLP) with the searched model's stack:
// the same input blocks, MLP, batches, losses and trainer (retrain/mlp-train.ts); only the network differs.
import type { Feature } from '../../schema/feature-spec.js';
import { autofasError, optionError } from '../../schema/errors.js';
import { createRng, type Rng } from '../../util/random.js';
import type { Dataset } from '../data/dataset-types.js';
import { numericStats } from '../model/inputs.js';
import { Mlp } from '../model/mlp.js';
import type { ExportableModel } from '../model/trainable.js';
import { TwoTower } from '../model/two-tower.js';
import { trainMlp } from '../retrain/mlp-train.js';
import type { RetrainRecord } from '../search/history.js';
import { parseBaselineOptions, type BaselineConfig, type TrainBaselineOptions } from './options.js';

/** A trained baseline: its configuration and network (weights in place), ready to export. */
export interface TrainedBaseline {
  readonly config: BaselineConfig;
  readonly model: ExportableModel;
  /** Mean training loss (and validation Recall@K, when a validation set was given) per epoch. */
  readonly history: readonly RetrainRecord[];
  /** Validation Recall@K after the last epoch, when a validation set was given. */
  readonly validRecall?: number;
  /** cold: the SE-block importance of every feature that was considered. */
  readonly importance?: Readonly<Record<string, number>>;
}

/** The features of a baseline, in spec order: vector keeps cross features out (item embeddings must not depend on the request). */
export function baselineFeatures(dataset: Dataset, config: Pick<BaselineConfig, 'kind' | 'features'>): Feature[] {
  const wanted = config.features ? new Set(config.features) : null;
  const features = dataset.spec.features.filter((f) => (!wanted || wanted.has(f.name)) && (config.kind !== 'vector' || f.side !== 'cross'));
  if (wanted) {
    const missing = [...wanted].filter((name) => !dataset.spec.features.some((f) => f.name === name));
    if (missing.length > 0) throw optionError('features', 'must name features of the spec', missing);
  }
  return features;
}

/** The untrained network of a baseline: the two towers for vector, else the fixed MLP over its features. */
export function baselineModel(dataset: Dataset, config: BaselineConfig, rng: Rng): ExportableModel {
  const features = baselineFeatures(dataset, config);
  const stats = numericStats(dataset, features);
  if (config.kind !== 'vector') {
    return new Mlp(features, { features: features.map((f) => f.name), layers: config.layers, embeddingDim: config.embeddingDim }, stats, rng);
  }
  const context = features.filter((f) => f.side === 'context');
  const item = features.filter((f) => f.side !== 'context');
  if (context.length === 0 || item.length === 0) {
    throw autofasError('ERR_AUTOFAS_SEARCH', 'the vector baseline needs at least one context and one item feature in the spec');
  }
  return new TwoTower(context, item, { towerLayers: config.towerLayers, vectorDim: config.vectorDim, embeddingDim: config.embeddingDim }, stats, rng);
}

/** Trains a baseline on `train` (reporting Recall@K on `options.validation` per epoch). */
export async function trainBaseline(train: Dataset, options: TrainBaselineOptions = {}): Promise<TrainedBaseline> {
  const config = parseBaselineOptions(options);
  if (train.rows === 0) throw autofasError('ERR_AUTOFAS_LOG_EMPTY', 'no training rows');
  const rng = createRng(config.seed);
  const model = baselineModel(train, config, rng.fork());
  const history = await trainMlp(model, train, config, rng.fork());
  const validRecall = history.at(-1)?.validRecall;
  return { config, model, history, ...(validRecall === undefined ? {} : { validRecall }) };
}
