// Baseline pre-rankers trained from the same logs by the same engine: vector two-tower, dnn-all, cold, fscd.
export { trainBaseline, baselinePlans, type TrainedBaseline } from './train.js';
export { trainCold, seImportance } from './cold.js';
export { trainBaselineOfKind } from './train-kind.js';
export { writeBaseline, baselineArtifact, type BaselineProvenance } from './export.js';
export { inferenceBytes, SCORE_OUTPUT, CONTEXT_EMBEDDING_OUTPUT, ITEM_EMBEDDING_OUTPUT } from './inference.js';
export { BASELINE_KINDS, parseBaselineOptions, type BaselineKind, type TrainBaselineOptions, type BaselineProgress, type DistillMode } from './options.js';
export { filesSha256, provenanceOf, toolVersion } from './provenance.js';
export { trainFscd, type FscdOptions } from './fscd.js';
