// The pre-ranker's shared runtime state: config, active model pool, fallback scorer, caches, breaker, counters, events.
import type { EventEmitter } from 'node:events';
import type CircuitBreaker from 'opossum';
import type { FeedBatch } from './feed-layout.js';
import type { GuardedItemStore } from './item-store.js';
import type { ModelPool } from './model-pool.js';
import type { RunQueue } from './run-queue.js';
import type { PreRankerConfig } from './options.js';
import type { ScoreResult } from './score-worker.js';
import type { FlagEvaluator, PreRankEventMap, ScoringPath } from './types.js';
import type { VectorScorer } from './vector-scorer.js';

/** Internal hooks for tests and benches (not part of the public options). */
export interface PreRankerHooks {
  /** Replaces the pool run: tests inject failing or stalling scorers here. */
  readonly runModel?: (pool: ModelPool, batch: FeedBatch, rows: number) => Promise<ScoreResult>;
  /** Blocks the worker this long before each model run (bench: a stalled model). */
  readonly stallMs?: () => number;
  /** Sampling source for teacher logging. @default Math.random */
  readonly random?: () => number;
  /** Clock for latencies. @default performance.now */
  readonly now?: () => number;
  /** Clock for the encoded item-row cache's TTL. @default performance */
  readonly cachePerf?: { now(): number };
}

/** A worker slot held for one model run: released when the run settles on the worker (not at its timeout). */
export interface ModelSlot {
  /** Frees the slot; `workerMs` is the run's time on its worker and `answerDelayMs` how late its answer was picked up. */
  readonly release: (workerMs?: number, answerDelayMs?: number) => void;
  /** Set once the run was handed to the pool (from then on the run's settling releases the slot). */
  taken: boolean;
}

/** Mutable counters behind `stats()`. */
export interface Counters {
  requests: number;
  inFlight: number;
  unitSeq: number;
  readonly byPath: Record<ScoringPath, number>;
  readonly fallbacks: Record<string, number>;
  readonly badInputs: Record<string, number>;
}

/** Everything a request needs; `pool` is swapped atomically by `reload`. */
export interface Engine {
  readonly config: PreRankerConfig;
  readonly events: EventEmitter<PreRankEventMap>;
  readonly hooks: PreRankerHooks;
  readonly flags: FlagEvaluator;
  readonly store: GuardedItemStore;
  readonly vector: VectorScorer | null;
  /** Fired with (pool, feeds, the run's worker slot); bounded by `timeoutMs` from the run's start. */
  readonly breaker: CircuitBreaker<[ModelPool, FeedBatch, ModelSlot], ScoreResult>;
  /** Worker slots and the bounded wait for them (load shedding). */
  readonly queue: RunQueue;
  readonly counters: Counters;
  readonly now: () => number;
  readonly random: () => number;
  pool: ModelPool;
  closed: boolean;
  /** Logs a coded line the first time each code occurs. */
  log(code: string, message: string, details?: Readonly<Record<string, unknown>>): void;
}
