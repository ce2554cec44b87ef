// The supernet's counterfactual with its weights given a chance to adapt: a feature the weights learned to read
// (a redundant copy of a kept feature) looks costly to remove until the network has re-learned to do without it.
import { createRng } from '../../util/random.js';
import { BatchSampler, teacherScale } from '../data/batches.js';
import type { Dataset } from '../data/dataset-types.js';
import { createPathTrainer } from '../model/path-trainer.js';
import type { Supernet } from '../model/supernet.js';
import type { SearchConfig } from '../search/config.js';
import type { BatchLosses } from './prune-budget.js';

/** Weight steps each adapted loss trains before it is measured. */
export const ADAPT_STEPS = 128;

/** Losses with the weights adapted to a feature set (restored after), and adopting such weights for good. */
export interface WeightAdapter {
  /** `loss` of the set after ADAPT_STEPS weight steps with the gates fixed to it; the weights are restored after. */
  readonly losses: BatchLosses;
  /** The same weight steps, kept: later decisions start from a network adapted to `kept`. */
  readonly adopt: (kept: ReadonlySet<string>) => Promise<void>;
}

/**
 * Path weight steps on `train` from the supernet's current weights, the gates fixed to a feature set. Every set sees
 * the same batches and paths (fixed seeds), so two sets' adapted losses differ by the features only.
 */
export function weightAdapter(supernet: Supernet, config: SearchConfig, train: Dataset, loss: BatchLosses): WeightAdapter {
  const adapt = async (kept: ReadonlySet<string>): Promise<void> => {
    const trainer = await createPathTrainer(supernet, config, createRng(config.seed + 3));
    const sampler = new BatchSampler(train, supernet.features, teacherScale(train.teacher), config.requestsPerBatch, config.candidatesPerRequest, createRng(config.seed + 4));
    try {
      supernet.features.forEach((f, i) => (supernet.gates[i] = kept.has(f.name) ? 1 : 0));
      for (let step = 0; step < ADAPT_STEPS; step++) await trainer.step(sampler.next().feeds);
    } finally {
      await trainer.dispose();
    }
  };
  return {
    losses: async (kept) => {
      const arrays = supernet.weightArrays();
      const saved = arrays.map((a) => a.slice());
      try {
        await adapt(kept);
        return await loss(kept);
      } finally {
        arrays.forEach((a, i) => a.set(saved[i]));
      }
    },
    adopt: adapt,
  };
}
