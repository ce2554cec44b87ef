// The retrained model's figures on the held-out test split (the card's `metrics.test`).
import type { SearchConfig } from '../search/config.js';
import type { Dataset } from '../data/dataset-types.js';
import { auc, ndcgAtK, recallAtK } from '../evaluate/metrics.js';
import type { Mlp } from '../model/mlp.js';
import { mlpScores } from './mlp-train.js';

/** Test figures of the retrained model: Recall@K (teacher top `recallTop`), NDCG@K, AUC on labels when present. */
export async function testMetrics(mlp: Mlp, test: Dataset, config: SearchConfig): Promise<Record<string, number>> {
  const scores = await mlpScores(mlp, test, config.threads);
  const lists = { offsets: test.requestOffsets, scores, teacher: test.teacher };
  const out: Record<string, number> = {
    [`recall@${config.recallK}`]: recallAtK(lists, config.recallK, config.recallTop),
    [`ndcg@${config.recallK}`]: ndcgAtK(lists, config.recallK),
    requests: test.requests,
  };
  if (test.hasLabels) {
    const a = auc(scores, test.labels);
    if (Number.isFinite(a)) out.auc = a;
  }
  return out;
}
