// Stage 4, search: the loop. A Dataset split, the search options and the latency model enter; a trained supernet
// (weights, Mixop alphas, feature gates) and its per-epoch history leave. runSearch drives the whole pipeline:
// search, derive/, retrain/, export. Next: derive/.
export * from './config.js';
export * from './history.js';
export * from './run-search.js';
export * from './search-loop.js';
export * from './sweep.js';
