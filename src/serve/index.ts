// Public surface of the serving plugin.
export * from './types.js';
export { createPreRanker } from './pre-ranker.js';
export { parseOptions, preRankerOptionsJsonSchema, preRankerJsonOptionsSchema, CODE_OPTION_NAMES } from './options.js';
export type { PreRankerOptions, PreRankerConfig, PreRankerJsonOptions } from './options.js';
export type { BaselineEmbeddings, ItemFeatures, ItemStore, PreRankLogger, PreRankerCodeOptions } from './option-types.js';
export { memoryItemStore } from './item-store.js';
export { staticFlags, STATIC_FLAG_DEFAULTS } from './static-flags.js';
export { buildManifest } from './manifest.js';
export type { PluginManifest } from './manifest.js';
export { redisItemStore } from './redis-item-store.js';
export type { RedisFailureKind, RedisItemStore, RedisStoreEventMap, RedisStoreStats } from './redis-item-store.js';
export type { RedisItemStoreOptions } from './redis-store-options.js';
