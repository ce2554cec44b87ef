// Stage 2, model: the graph pieces every trainer shares. Feature specs and a Dataset's statistics enter; per-feature
// input blocks, Mixops, the supernet, the fixed MLP, the two-tower network, the distillation losses and compiled ORT training/scoring
// sessions leave. The search (search/), the retrain (retrain/) and the baselines (baselines/) build on it.
export * from './inputs.js';
export * from './losses.js';
export * from './mixop.js';
export * from './mlp.js';
export * from './supernet.js';
export * from './train-graph.js';
export * from './trainable.js';
export * from './two-tower.js';
