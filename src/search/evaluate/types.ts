// Public types of `autofas evaluate`: one row per model, measured on the same requests in the same run.

/** The figures of one model on the evaluation requests. */
export interface EvaluationRow {
  /** Display name: the artifact directory's base name unless given. */
  readonly name: string;
  readonly dir: string;
  readonly kind: string;
  readonly modelId: string;
  /** Number of features the model reads. */
  readonly features: number;
  /** Share of the teacher's top `top` candidates kept in the model's top K, averaged over requests. */
  readonly recallAtK: number;
  /** NDCG@K with the teacher's scores as gains, averaged over requests. */
  readonly ndcgAtK: number;
  /** AUC of the model's scores on the logged labels; null when the logs hold no usable labels. */
  readonly auc: number | null;
  /** Measured ONNX Runtime time for one run over 1000 candidates, microseconds (median, one thread). */
  readonly networkUs: number;
  /** Feature fetch cost for a request of 1000 candidates from the spec's `costUs` (the latency model's Eq. 3-4). */
  readonly featureUs: number;
  /** networkUs + featureUs: the model's latency per 1000 candidates. */
  readonly totalUs: number;
  /** Multiply-adds x 2 per candidate (batch-1 context parts amortised over 1000 candidates). */
  readonly flopsPerCandidate: number;
}

/** What `autofas evaluate --json` prints. */
export interface EvaluationReport {
  readonly k: number;
  readonly top: number;
  readonly requests: number;
  readonly candidates: number;
  readonly rows: readonly EvaluationRow[];
}

/** Where a model sits in the search report's latency-recall plane. */
export type ComparisonRole = 'searched' | 'sweep' | 'baseline';

/** A comparison row for the search report: an evaluation row plus its role (and budget for sweep points). */
export interface ReportComparison extends EvaluationRow {
  readonly role: ComparisonRole;
  readonly budgetUs?: number;
}
