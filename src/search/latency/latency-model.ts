// Expected latency of a (super)network per the paper's Eq. 3-4: feature fetch cost per source plus the network's
// operator cost from the profiled table, propagated Mixop by Mixop with the operator probabilities.
import type { Feature } from '../../schema/feature-spec.js';
import type { LatencyLookup } from './latency-table.js';
import type { OpConfig } from '../model/mixop.js';

/** Latency enters the loss per millisecond: lambda2 * E[lat_us] / 1000 (the search's penalty, derive's price). */
export const LATENCY_UNIT_US = 1000;

/** A feature as the latency model sees it. */
export interface FeatureLatency {
  readonly name: string;
  readonly source: Feature['source'];
  readonly side: Feature['side'];
  /** Fetch cost L_i for one request (one lookup: a key for context features, one batched multi-get for item/cross). */
  readonly us: number;
  /** Width of the feature's embedding in the first layer's input. */
  readonly width: number;
}

/** Expected latency and its gradients (per 1000 candidates unless the model says otherwise). */
export interface LatencyEstimate {
  readonly totalUs: number;
  readonly featureUs: number;
  readonly networkUs: number;
  /** d total / d theta_i. */
  readonly dTheta: Float64Array;
  /** d total / d p_lj (operator probabilities, per Mixop). */
  readonly dProbs: Float64Array[];
}

/** What the feature-cost formula reads of a feature: its source and its lookup cost L_i. */
export interface FetchCost {
  readonly source: Feature['source'];
  readonly us: number;
}

/**
 * The one feature-cost formula (the paper's Eq. 3-4), used by the search (theta = keep probabilities) and by
 * evaluate and the baselines (theta = 1 for every used feature): the two sources (request F1, store F2) are fetched
 * in parallel, each paying its lookups and beta per feature (gather/normalise/feed), so
 * E[lat_feat] = max_s (sum_{i in F_s} theta_i L_i + beta * sum_{i in F_s} theta_i).
 * dTheta_i = L_i + beta for the features of the winning source, 0 for the others.
 */
export function expectedFeatureUs(features: readonly FetchCost[], theta: ArrayLike<number>, betaUs: number): { us: number; dTheta: Float64Array } {
  const per = { request: 0, store: 0 };
  features.forEach((f, i) => (per[f.source] += theta[i] * (f.us + betaUs)));
  const winner = per.request >= per.store ? 'request' : 'store';
  const dTheta = Float64Array.from(features, (f) => (f.source === winner ? f.us + betaUs : 0));
  return { us: per[winner], dTheta };
}

/** Latency model of one search space: features, Mixop candidates, the profiled table, beta. */
export class LatencyModel {
  readonly features: readonly FeatureLatency[];
  readonly mixops: readonly (readonly OpConfig[])[];
  private readonly lookup: LatencyLookup;
  readonly betaUs: number;
  readonly candidates: number;

  constructor(features: readonly FeatureLatency[], mixops: readonly (readonly OpConfig[])[], lookup: LatencyLookup, betaUs: number, candidates: number) {
    this.features = features;
    this.mixops = mixops;
    this.lookup = lookup;
    this.betaUs = betaUs;
    this.candidates = candidates;
  }

  /** Eq. 3-4 for keep probabilities theta (see expectedFeatureUs), with its gradient. */
  featureUs(theta: ArrayLike<number>): { us: number; dTheta: Float64Array } {
    return expectedFeatureUs(this.features, theta, this.betaUs);
  }

  /** Expected network latency given expected first-layer input widths and per-Mixop operator probabilities. */
  networkUs(ctxWidth: number, itemWidth: number, probs: readonly ArrayLike<number>[]): number {
    return networkLatency(this.lookup, ctxWidth, itemWidth, this.mixops, probs, this.candidates).us;
  }

  /** Total expected latency with gradients w.r.t. theta (keep probabilities) and operator probabilities. */
  estimate(theta: ArrayLike<number>, probs: readonly ArrayLike<number>[]): LatencyEstimate {
    const feat = this.featureUs(theta);
    const widths = (t: ArrayLike<number>): [number, number] => {
      let c = 0;
      let i = 0;
      this.features.forEach((f, k) => (f.side === 'context' ? (c += t[k] * f.width) : (i += t[k] * f.width)));
      return [c, i];
    };
    const [cw, iw] = widths(theta);
    const network = networkLatency(this.lookup, cw, iw, this.mixops, probs, this.candidates);
    const net = network.us;
    // The network term is multilinear in the probabilities, so a unit finite difference is exact.
    const dProbs = probs.map((p, l) =>
      Float64Array.from(p, (_, j) => {
        const up = probs.map((row, m) => (m === l ? Float64Array.from(row, (v, k) => (k === j ? v + 1 : v)) : row));
        return this.networkUs(cw, iw, up) - net;
      }),
    );
    const dTheta = Float64Array.from(feat.dTheta, (d, k) => d + this.features[k].width * (this.features[k].side === 'context' ? network.dCtx : network.dItem));
    return { totalUs: feat.us + net, featureUs: feat.us, networkUs: net, dTheta, dProbs };
  }

  /** Latency of a derived model: the kept features (by name) and its hidden widths. */
  derivedUs(kept: ReadonlySet<string>, layers: readonly number[]): DerivedLatency {
    const theta = this.features.map((f) => (kept.has(f.name) ? 1 : 0));
    const featureUs = this.featureUs(theta).us;
    const fetchUs = expectedFeatureUs(this.features, theta, 0).us;
    let ctx = 0;
    let item = 0;
    this.features.forEach((f, k) => (f.side === 'context' ? (ctx += theta[k] * f.width) : (item += theta[k] * f.width)));
    const networkUs = fixedNetworkUs(this.lookup, ctx, item, layers, this.candidates);
    return { totalUs: featureUs + networkUs, featureUs, fetchUs, networkUs };
  }
}

/** Table latency of a derived model (microseconds per request of `candidates` candidates). */
export interface DerivedLatency {
  readonly totalUs: number;
  /** Eq. 3-4: max over sources of (lookups + beta per feature). */
  readonly featureUs: number;
  /** Lookups only (the same max with beta = 0): what a measured model run does not include. */
  readonly fetchUs: number;
  readonly networkUs: number;
}

/** Expected network latency (microseconds per request of `candidates` candidates) and its slopes in the input widths. */
export interface NetworkLatency {
  readonly us: number;
  /** d us / d (expected context width of the first layer's input). */
  readonly dCtx: number;
  /** d us / d (expected item width of the first layer's input). */
  readonly dItem: number;
}

/**
 * The one network-latency formula: run overhead, then Mixop by Mixop the expected cost of each operator given the
 * distribution of its input width (the first layer split into a context row and `candidates` item rows), then the
 * output layer. With no Mixops the output layer reads the item input directly.
 */
export function networkLatency(
  lookup: LatencyLookup, ctxWidth: number, itemWidth: number, mixops: readonly (readonly OpConfig[])[], probs: readonly ArrayLike<number>[], candidates: number,
): NetworkLatency {
  const n = candidates;
  let us = lookup.table.runOverheadUs;
  let dCtx = 0;
  let dItem = 0;
  let q = new Map<number, number>();
  mixops.forEach((ops, l) => {
    const next = new Map<number, number>();
    ops.forEach((op, j) => {
      const p = probs[l][j];
      if (op.kind === 'identity') {
        for (const [d, w] of q) next.set(d, (next.get(d) ?? 0) + p * w);
        return;
      }
      if (l === 0) {
        us += p * (lookup.layerUs(ctxWidth, op.width, 1) + lookup.layerUs(itemWidth, op.width, n));
        dCtx += p * lookup.layerUsSlope(ctxWidth, op.width, 1);
        dItem += p * lookup.layerUsSlope(itemWidth, op.width, n);
      } else for (const [d, w] of q) us += p * w * lookup.layerUs(d, op.width, n);
      next.set(op.width, (next.get(op.width) ?? 0) + p);
    });
    q = next;
  });
  if (mixops.length === 0) {
    us += lookup.layerUs(itemWidth, 1, n);
    dItem += lookup.layerUsSlope(itemWidth, 1, n);
  }
  for (const [d, w] of q) us += w * lookup.layerUs(d, 1, n);
  return { us, dCtx, dItem };
}

/** Table latency of a fixed MLP (hidden widths `layers`) with a context/item split first layer. */
export function fixedNetworkUs(lookup: LatencyLookup, ctxWidth: number, itemWidth: number, layers: readonly number[], candidates: number): number {
  const mixops = layers.map((width): OpConfig[] => [{ kind: 'dense', width }]);
  return networkLatency(lookup, ctxWidth, itemWidth, mixops, layers.map(() => [1]), candidates).us;
}
