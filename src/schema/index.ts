// Re-exports the shared vocabulary: errors, feature spec, encoder, teacher-log record, model card, artifacts.
export * from './errors.js';
export * from './feature-spec.js';
export * from './encoder.js';
export * from './teacher-log.js';
export * from './model-card.js';
export * from './artifact.js';
export * from './feature-costs.js';
