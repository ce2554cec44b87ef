// Baselines: the same Dataset and trainer as the searched model enter; the comparison pre-rankers leave as artifacts
// (vector two-tower, dnn-all, cold, fscd), each differing from the searched model only where it must. Next: evaluate/.
export { trainBaseline, baselineFeatures, baselineModel, type TrainedBaseline } from './train.js';
export { trainCold, seImportance } from './cold.js';
export { trainBaselineOfKind } from './train-kind.js';
export { writeBaseline, baselineArtifact, type BaselineProvenance } from './export.js';
export { BASELINE_KINDS, parseBaselineOptions, type BaselineKind, type TrainBaselineOptions } from './options.js';
export { filesSha256, provenanceOf, toolVersion } from './provenance.js';
export { trainFscd, type FscdOptions } from './fscd.js';
