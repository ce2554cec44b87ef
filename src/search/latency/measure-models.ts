// Measured latency of models on this machine: ORT runs over a fixed batch of logged candidates, interleaved across
// models so that every model sees the same background load.
import type { Session } from '../../graph/runtime.js';
import type { Feeds } from '../../graph/runtime.js';
import type { Dataset } from '../data/dataset-types.js';
import { batchFeeds, type ScoringCard } from '../evaluate/feeds.js';

/** One model to time: its session and a ready batch. */
export interface TimedModel {
  readonly session: Session;
  readonly feeds: Feeds;
  readonly fetches: readonly string[];
}

/** A timed model over `candidates` rows of the dataset (fetching only the score). */
export function timedModel(session: Session, card: ScoringCard, dataset: Dataset, candidates: number): TimedModel {
  return { session, feeds: batchFeeds(card, dataset, candidates), fetches: [card.outputs.score] };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Median wall time (µs) of one run per model. After 5 warm-up runs each, the models take turns run by run, so a
 * burst of load on a shared machine hits all of them alike and their ratios stay meaningful.
 */
export async function measureInterleavedUs(models: readonly TimedModel[], runs: number): Promise<number[]> {
  for (const m of models) for (let i = 0; i < 5; i++) await m.session.run(m.feeds, m.fetches);
  const times = models.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < models.length; j++) {
      const t0 = process.hrtime.bigint();
      await models[j].session.run(models[j].feeds, models[j].fetches);
      times[j].push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  }
  return times.map(median);
}

/** Median wall time in microseconds of one run over `candidates` rows, after a short warm-up. */
export async function measureLatencyUs(session: Session, card: ScoringCard, dataset: Dataset, candidates: number, runs: number): Promise<number> {
  const [us] = await measureInterleavedUs([timedModel(session, card, dataset, candidates)], runs);
  return us;
}
