// Stage 6, retrain: the derived architecture enters; a fixed MLP trained from scratch by distillation and its
// exported artifact (model.onnx + model.json) leave. Next: evaluate/.
export * from './export-model.js';
export * from './mlp-train.js';
export * from './test-metrics.js';
