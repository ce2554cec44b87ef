// Stage 5, derive: the trained supernet enters; the chosen features and architecture leave (argmax per Mixop, gates
// past the threshold, counterfactual pruning, then the budget filled with features that help). Next: retrain/.
export * from './adapt.js';
export * from './derive.js';
export * from './neighbours.js';
export * from './prune-budget.js';
export * from './prune.js';
