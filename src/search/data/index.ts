// Stage 1, data: teacher logs (.jsonl/.jsonl.gz) enter; a columnar Dataset leaves, split by request into train,
// validation and test, with the redundancy pre-pass and the minibatch sampler every trainer uses. Next: model/.
export * from './batches.js';
export * from './column-builder.js';
export * from './dataset-builder.js';
export * from './dataset-split.js';
export * from './dataset-types.js';
export * from './dataset.js';
export * from './log-reader.js';
export * from './redundancy.js';
