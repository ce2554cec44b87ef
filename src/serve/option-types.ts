// Types of the pre-ranker's code-valued options: item store, request accessors, baseline embeddings, logger.
import type { RawFeatureValue } from '../schema/teacher-log.js';
import type { HostRequest, HostResponse } from './http-types.js';
import type { Candidate, FlagEvaluator } from './types.js';

/** Item features of one item, by feature name. */
export type ItemFeatures = Readonly<Record<string, RawFeatureValue>>;

/** Batch access to `source: "store"` item features; one call per request with only the model's selected features. */
export interface ItemStore {
  /** Resolves one entry per id, in order; `undefined` = unknown item (features take their defaults). */
  get(itemIds: readonly string[], featureNames: readonly string[], context: Readonly<Record<string, RawFeatureValue>>): Promise<readonly (ItemFeatures | undefined)[]>;
}

/** Precomputed embeddings for the vector fallback, instead of a `vector` artifact. */
export interface BaselineEmbeddings {
  getContextEmbedding(context: Readonly<Record<string, RawFeatureValue>>): Promise<ArrayLike<number>> | ArrayLike<number>;
  /** One embedding per id, in order (`undefined` when unknown: the item scores 0). */
  getItemEmbeddings(itemIds: readonly string[]): Promise<readonly (ArrayLike<number> | undefined)[]>;
}

/** Where the plugin writes its coded log lines (once per code). */
export interface PreRankLogger {
  warn(message: string, details?: Readonly<Record<string, unknown>>): void;
}

/**
 * Options given in code: hooks that fit other gateway shapes, stores, flags and logging. The hooks are declared as
 * methods so a hook typed with the host's own `Request`/`Response` (Express 4 or 5) is accepted.
 */
export interface PreRankerCodeOptions {
  /** Batch store for item and cross features with `source: "store"`. @default none: a model that reads such features is refused at start-up unless `storeFeaturesFrom` is `'candidates'` */
  readonly itemStore?: ItemStore;
  /** Reads the request context. @default `res.locals.search.context` */
  getContext?(req: HostRequest, res: HostResponse): unknown;
  /** Reads the candidates. @default `res.locals.search.candidates` */
  getCandidates?(req: HostRequest, res: HostResponse): unknown;
  /** Writes the kept candidates back. @default sets `res.locals.search.candidates` */
  setCandidates?(req: HostRequest, res: HostResponse, candidates: Candidate[]): void;
  /** The A/B unit of a request. @default `res.locals.search.unitId`, then `context.user_id`, then a request counter */
  getUnitId?(req: HostRequest, res: HostResponse): string | undefined;
  /** Per-request flags. @default static: enabled, arm `autofas`, no shadow, no teacher logging */
  readonly flags?: FlagEvaluator;
  /** Receives one line per error code (the first time it occurs). @default console.warn */
  readonly logger?: PreRankLogger;
}
