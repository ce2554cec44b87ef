// Public surface of the compute engine: ONNX builder, typed graph, autodiff, runtime, optimisers, trainer.
export * from './builder.js';
export * from './onnx-proto.js';
export * from './graph.js';
export * from './gradients.js';
export * from './autodiff.js';
export * from './runtime.js';
export * from './shapes.js';
export * from './optim.js';
export * from './init.js';
export * from './batches.js';
export * from './evaluate.js';
export * from './training-model.js';
export * from './trainer.js';
export * from './losses.js';
export * from './layers.js';
export * from './sparse.js';
