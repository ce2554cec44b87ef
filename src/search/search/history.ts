// The per-epoch search history (history.json next to the artifact): the shape the search report renders.
import type { NeighbourTry } from '../derive/neighbours.js';

/** One Mixop's state at the end of an epoch: operator names and their softmax(alpha) probabilities. */
export interface MixopSnapshot {
  /** Operator names in candidate order, e.g. ["fc256", "fc128", "fc64", "fc32", "identity"]. */
  readonly ops: readonly string[];
  /** softmax(alpha) per operator, same order as `ops`. */
  readonly probs: readonly number[];
}

/** The state of the search after one epoch. */
export interface EpochRecord {
  /** 1-based epoch number. */
  readonly epoch: number;
  /** Mean losses over the epoch's minibatches. */
  readonly losses: {
    readonly total: number;
    readonly task: number;
    readonly distill: number;
    /** lambda2 * E[latency] as it entered the loss. */
    readonly latency: number;
  };
  /** lambda2 in force during the epoch (changes when a budget drives it). */
  readonly lambda2: number;
  /** Expected latency per 1000 candidates (microseconds) at the end of the epoch. */
  readonly expectedLatency: { readonly totalUs: number; readonly featureUs: number; readonly networkUs: number };
  /** Keep-probability theta per feature, by feature name. */
  readonly theta: Readonly<Record<string, number>>;
  /** softmax(alpha) per Mixop, in layer order. */
  readonly mixops: readonly MixopSnapshot[];
  /** Features whose theta passes the keep threshold right now. */
  readonly features: readonly string[];
  /**
   * Validation Recall@K of the supernet (teacher top set kept in the student's top K), when measured: on the first 64
   * validation requests (a progress diagnostic; retrain records score the whole split).
   */
  readonly validRecall?: number;
  /** Wall-clock seconds since the search started. */
  readonly elapsedS: number;
}

/** A retrain epoch (the derived network trained from scratch). */
export interface RetrainRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly validRecall?: number;
}

/** history.json: the whole run, written by `autofas search` next to model.json. */
export interface SearchHistory {
  readonly version: 1;
  /** Budget per 1000 candidates in microseconds, when searched under a budget. */
  readonly budgetUs?: number;
  /** The search configuration (toConfig of the options, JSON-safe). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Feature names in spec order, with their side, source and cost, for plot labels. */
  readonly features: readonly { readonly name: string; readonly side: string; readonly source: string; readonly costUs: number }[];
  /** One record per search epoch (all rounds of lambda2 tuning concatenated, `round` tells them apart). */
  readonly epochs: readonly (EpochRecord & { readonly round: number })[];
  /** The derived model's choice. */
  readonly derived: {
    readonly features: readonly string[];
    readonly layers: readonly number[];
    readonly expectedUs: number;
    readonly featureUs: number;
    readonly networkUs: number;
    readonly measuredUs?: number;
    /** Features dropped by counterfactual pruning on the supernet, in order, with the loss they cost and latency saved. */
    readonly pruned?: readonly { readonly feature: string; readonly deltaLoss: number; readonly savedUs: number }[];
    /** Under a budget, every candidate the feature choice evaluated (drops and additions), with its result. */
    readonly tries?: readonly { readonly action: string; readonly feature: string; readonly deltaLoss?: number; readonly deltaUs: number; readonly result: string }[];
    /** Under a budget, every neighbour of the derived network considered after the retrain (src/search/derive/neighbours.ts). */
    readonly neighbours?: readonly NeighbourTry[];
    /** Near-exact copies of cheaper features, left out of the search space. */
    readonly redundant?: readonly { readonly feature: string; readonly copyOf: string; readonly correlation: number }[];
    /** Repairs derive made to meet the budget. */
    readonly repairs?: readonly string[];
  };
  readonly retrain: readonly RetrainRecord[];
  /** Test-split figures of the exported model. */
  readonly test?: Readonly<Record<string, number>>;
}

export const HISTORY_FILE = 'history.json';
