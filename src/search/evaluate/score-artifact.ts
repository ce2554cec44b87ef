// Scores every row of a dataset with an exported model (card layout, one ORT run per request): what evaluate ranks.
import type { Session } from '../../graph/runtime.js';
import type { Dataset } from '../data/dataset-types.js';
import { checkFeedsAvailable, requestFeeds, type ScoringCard } from './feeds.js';

/** An exported model's score for every row of the dataset: one ORT run per request (card layout; training graphs use score-dataset.ts). */
export async function scoreArtifactRows(session: Session, card: ScoringCard, dataset: Dataset): Promise<Float32Array> {
  checkFeedsAvailable(card, dataset);
  const scores = new Float32Array(dataset.rows);
  for (let r = 0; r < dataset.requests; r++) {
    const start = dataset.requestOffsets[r];
    if (dataset.requestOffsets[r + 1] === start) continue;
    const fetched = await session.run(requestFeeds(card, dataset, r), [card.outputs.score]);
    scores.set(fetched[card.outputs.score].data as Float32Array, start);
  }
  return scores;
}
