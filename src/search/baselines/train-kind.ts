// One entry point for every baseline kind: cold runs its SE selection first, the others train directly.
import type { Dataset } from '../data/dataset-types.js';
import { trainCold } from './cold.js';
import type { TrainBaselineOptions } from './options.js';
import { trainBaseline, type TrainedBaseline } from './train.js';

/** Trains the baseline named by `options.kind` (vector, dnn-all or cold). */
export function trainBaselineOfKind(train: Dataset, options: TrainBaselineOptions = {}): Promise<TrainedBaseline> {
  return options.kind === 'cold' ? trainCold(train, options) : trainBaseline(train, options);
}
