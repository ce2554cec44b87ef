// Stage 7, evaluate: model artifacts and held-out requests enter; quality (Recall@K, NDCG@K, AUC) and cost (FLOPs,
// feature fetch, measured latency) leave, side by side with the baselines. Next: report/.
export * from './compare.js';
export * from './cost.js';
export * from './evaluate.js';
export * from './feeds.js';
export * from './metrics.js';
export * from './score-artifact.js';
export * from './score-dataset.js';
export * from './table.js';
export * from './types.js';
export * from './ab-report.js';
