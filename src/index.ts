// Package entry point: the pre-rank middleware and its companions (the shared schema is under `autofas/schema`).
export * from './serve/index.js';
// Operations (issue 7): flags, sticky bucketing, metrics, admin router, model watcher, teacher-log collection.
export { createFlagEvaluator, DEFAULT_FLAGS, FLAG_KEYS } from './serve/flags.js';
export { clampK } from './serve/static-flags.js';
export type { FlagClient, FlagOptions } from './serve/flags.js';
export { armAssigner, armContextEvaluator, bucketOf, BUCKETS, inRollout } from './serve/bucketing.js';
export type { ArmSplitOptions } from './serve/bucketing.js';
export { preRankMetrics, BREAKER_STATE_VALUE } from './serve/metrics.js';
export type { MetricsOptions, PreRankMetrics } from './serve/metrics.js';
export { preRankAdmin } from './serve/admin.js';
export type { AdminOptions, PreRankAdminRouter } from './serve/admin.js';
export { watchModels, newestArtifact } from './serve/watch.js';
export type { ModelWatcher, WatchOptions, WatchReloadResult } from './serve/watch.js';
export { teacherLogger, recallAtK } from './serve/teacher-logger.js';
export type { CandidateAccessor, SkipReason, TeacherLogger, TeacherLoggerEventMap, TeacherLoggerOptions } from './serve/teacher-logger.js';
export { RotatingLogSink } from './serve/log-sink.js';
export type { Clock, DropReason, LogSinkEventMap, LogSinkOptions, LogSinkStats } from './serve/log-sink.js';
export type { LogFileHandle, LogFileSystem } from './serve/log-file.js';
export { preRankStatus } from './serve/status.js';
export type { ArmStatus, MeanCI, ModelSummary, PreRankStatus, StatusOptions, StatusSnapshot } from './serve/status.js';
