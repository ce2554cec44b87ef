// Public types shared by the pre-rank middleware, its flags, metrics, admin router and teacher logger.
import type { EventEmitter } from 'node:events';
import type { RawFeatureValue } from '../schema/teacher-log.js';
import type { ModelCard } from '../schema/model-card.js';
import type { HostNext, HostRequest, HostResponse } from './http-types.js';

/** A candidate as the matching hop hands it over: an id plus raw feature values (item and cross features). */
export interface Candidate {
  readonly item_id: string;
  readonly features?: Readonly<Record<string, RawFeatureValue>>;
  /** Written by the plugin on the kept candidates. */
  preRankScore?: number;
  /** Written by the plugin in shadow mode on teacher-logged requests: the shadow arm's score (for online Recall@K). */
  shadowScore?: number;
  readonly [extra: string]: unknown;
}

/** What the matching hop writes to `res.locals.search`. */
export interface SearchState {
  context: Readonly<Record<string, RawFeatureValue>>;
  candidates: Candidate[];
  /** Unit for A/B assignment (user id or request id); falls back to context.user_id, then a request counter. */
  unitId?: string;
}

/** Which pre-ranker serves a request. */
export type Arm = 'autofas' | 'baseline' | 'off';

/** How a request was actually scored. */
export type ScoringPath = 'model' | 'vector' | 'matching-order' | 'passthrough';

/** Flag values for one request, after defaults and clamping. */
export interface FlagValues {
  /** `autofas.enabled`: off means pass-through, no scoring. @default true */
  readonly enabled: boolean;
  /** `autofas.arm`. @default 'autofas' */
  readonly arm: Arm;
  /**
   * `autofas.k`: overrides the configured k, capped at maxCandidates; undefined = configured k. Any value that is not an
   * integer >= 1 (NaN, 0, negatives, fractions) also gives the configured k, and is counted as ERR_AUTOFAS_FLAGS.
   */
  readonly k?: number;
  /** `autofas.shadow`: score with both arms, serve `arm`, record agreement. @default false */
  readonly shadow: boolean;
  /** `autofas.teacherLogRate`: share of requests logged for the teacher (they bypass truncation). @default 0 */
  readonly teacherLogRate: number;
}

/**
 * Resolves the flags of one request; must not throw (return defaults on provider trouble). A promise is bounded by
 * the request's deadline; values answered at once skip that wait.
 */
export interface FlagEvaluator {
  evaluate(unitId: string, context: Readonly<Record<string, unknown>>): FlagValues | Promise<FlagValues>;
}

/** What the plugin records in `res.locals.preRank`. */
export interface PreRankRecord {
  readonly arm: Arm;
  readonly path: ScoringPath;
  readonly modelId: string | null;
  readonly k: number;
  readonly candidatesIn: number;
  readonly candidatesOut: number;
  readonly latencyMs: number;
  /** Error code of the failure that forced a fallback, if any. */
  readonly fallbackReason?: string;
  /** True when this request was sampled for teacher logging (not truncated). */
  readonly teacherLogged?: boolean;
  /** In shadow mode: Overlap@K between the served and the shadow arm. */
  readonly shadowOverlap?: number;
  /** In shadow mode: the arm that scored in the shadow (not served). */
  readonly shadowArm?: Arm;
  /** The A/B unit the flags were evaluated for. */
  readonly unitId?: string;
}

/** Events the pre-ranker emits; metrics and logs subscribe instead of being called from ranking code. */
export interface PreRankEventMap {
  request: [record: PreRankRecord];
  fallback: [info: { from: ScoringPath; to: ScoringPath; code: string }];
  'bad-input': [info: { code: string; field: string; message: string }];
  breaker: [state: 'open' | 'halfOpen' | 'closed'];
  /** The item store's own breaker (a hung or failing store fails fast while it is open). */
  'store-breaker': [state: 'open' | 'halfOpen' | 'closed'];
  /** Missing values of one request's encoding, by feature (only when any); store features count when fetched. */
  'feature-missing': [info: { modelId: string; counts: Readonly<Record<string, number>> }];
  cache: [info: { cache: 'item-features' | 'item-embeddings'; hits: number; misses: number }];
  reload: [info: { ok: boolean; modelId?: string; code?: string; message?: string }];
  'scorer-time': [info: { arm: Arm; ms: number; candidates: number }];
}

/** Active models, as `GET /model` shows them. */
export interface ActiveModels {
  readonly model: ModelCard | null;
  readonly baseline: ModelCard | null;
}

/** Counters `.stats()` returns. */
export interface PreRankStats {
  readonly requests: number;
  readonly byPath: Readonly<Record<ScoringPath, number>>;
  readonly fallbacks: Readonly<Record<string, number>>;
  readonly badInputs: Readonly<Record<string, number>>;
  readonly breaker: 'open' | 'halfOpen' | 'closed';
  readonly storeBreaker: 'open' | 'halfOpen' | 'closed';
  readonly inFlight: number;
  readonly models: ActiveModels;
}

/** The middleware `createPreRanker` returns, with its control surface. */
export interface PreRanker {
  (req: HostRequest, res: HostResponse, next: HostNext): void;
  readonly events: EventEmitter<PreRankEventMap>;
  /** Loads, validates and warms an artifact directory, then swaps it in atomically; refuses bad ones (old keeps serving). */
  reload(dir: string): Promise<ModelCard>;
  stats(): PreRankStats;
  models(): ActiveModels;
  /** True once a model is loaded and warmed. */
  ready(): boolean;
  close(): Promise<void>;
}
