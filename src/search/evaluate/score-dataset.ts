// Scores every row of a dataset with a rows-layout scoring session, in request-aligned chunks; Recall@K on top.
import type { Feature } from '../../schema/feature-spec.js';
import type { Dataset } from '../data/dataset-types.js';
import { rowFeeds } from '../data/batches.js';
import { recallAtK } from './metrics.js';
import { runScoring, type ScoringSession } from '../model/train-graph.js';

/** Scores for all rows, computed about `chunkRows` rows per run. */
export async function scoreDataset(ss: ScoringSession, dataset: Dataset, features: readonly Feature[], chunkRows = 16384): Promise<Float32Array> {
  const scores = new Float32Array(dataset.rows);
  let first = 0;
  while (first < dataset.requests) {
    let last = first + 1;
    while (last < dataset.requests && dataset.requestOffsets[last + 1] - dataset.requestOffsets[first] <= chunkRows) last++;
    const batch = rowFeeds(dataset, features, first, last);
    scores.set(await runScoring(ss, batch.feeds), dataset.requestOffsets[first]);
    first = last;
  }
  return scores;
}

/** Recall@K of scores against the dataset's teacher. */
export function datasetRecall(dataset: Dataset, scores: Float32Array, k: number, top: number): number {
  return recallAtK({ offsets: dataset.requestOffsets, scores, teacher: dataset.teacher }, k, top);
}
