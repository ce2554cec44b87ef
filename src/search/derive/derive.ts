// Derive: argmax alpha per Mixop, features whose theta passes the threshold, then (with a budget) the cheapest
// greedy repairs until the derived model's table latency fits.
import { autofasError } from '../../schema/errors.js';
import type { Feature } from '../../schema/feature-spec.js';
import type { DerivedLatency, LatencyModel } from '../latency/latency-model.js';
import type { OpConfig } from '../model/mixop.js';

/** The derived network: kept features (spec order), hidden widths, categorical embedding width. */
export interface DerivedArchitecture {
  readonly features: readonly string[];
  readonly layers: readonly number[];
  readonly embeddingDim: number;
}

/** What derive reads. */
export interface DeriveInput {
  readonly features: readonly Feature[];
  readonly theta: ArrayLike<number>;
  readonly mixops: readonly { readonly ops: readonly OpConfig[]; readonly probs: ArrayLike<number> }[];
  readonly latency: LatencyModel;
  readonly keepThreshold: number;
  readonly embeddingDim: number;
  readonly budgetUs?: number;
  /** Start from these features instead of the theta threshold (e.g. after pruning). */
  readonly kept?: ReadonlySet<string>;
  /**
   * Meet the budget by narrowing or removing layers only, keeping every feature (used before the feature choice).
   * Without it, layers still give way first and features are dropped only when the network cannot shrink further.
   * @default false
   */
  readonly networkOnly?: boolean;
}

/** A derived architecture with its table latency and the repairs made to meet the budget. */
export interface Derived extends DerivedLatency {
  readonly architecture: DerivedArchitecture;
  readonly repairs: readonly string[];
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

interface State {
  kept: Set<string>;
  layers: { mixop: number; width: number }[];
}

export function derive(input: DeriveInput): Derived {
  const { features, theta } = input;
  const initial = input.kept ?? new Set(features.filter((_, i) => theta[i] >= input.keepThreshold).map((f) => f.name));
  const state: State = { kept: new Set(initial), layers: [] };
  ensureItemFeature(state, features, theta);
  input.mixops.forEach((m, l) => {
    const op = m.ops[argmax(m.probs)];
    if (op.kind === 'dense') state.layers.push({ mixop: l, width: op.width });
  });
  if (state.layers.length === 0) state.layers.push({ mixop: 0, width: narrowest(input.mixops[0].ops) });
  const repairs: string[] = [];
  const cost = (s: State): number => input.latency.derivedUs(s.kept, s.layers.map((x) => x.width)).totalUs;
  if (input.budgetUs !== undefined) {
    while (cost(state) > input.budgetUs) {
      // The network gives way before the features (their value was measured; a width's was not).
      const move = bestMove(state, input, cost, true) ?? (input.networkOnly ? null : bestMove(state, input, cost, false));
      if (!move) break;
      move.apply();
      repairs.push(move.label);
    }
  }
  const widths = state.layers.map((x) => x.width);
  const lat = input.latency.derivedUs(state.kept, widths);
  return {
    architecture: { features: features.filter((f) => state.kept.has(f.name)).map((f) => f.name), layers: widths, embeddingDim: input.embeddingDim },
    ...lat,
    repairs,
  };
}

function narrowest(ops: readonly OpConfig[]): number {
  const widths = ops.flatMap((op) => (op.kind === 'dense' ? [op.width] : []));
  if (widths.length === 0) throw autofasError('ERR_AUTOFAS_SEARCH', 'the first Mixop has no dense operator');
  return Math.min(...widths);
}

/** A model scores candidates, so it needs at least one item or cross feature: keep the most likely one. */
function ensureItemFeature(state: State, features: readonly Feature[], theta: ArrayLike<number>): void {
  if (features.some((f) => f.side !== 'context' && state.kept.has(f.name))) return;
  let best = -1;
  features.forEach((f, i) => {
    if (f.side !== 'context' && (best < 0 || theta[i] > theta[best])) best = i;
  });
  if (best < 0) throw autofasError('ERR_AUTOFAS_SEARCH', 'the feature spec has no item or cross feature to score candidates with');
  state.kept.add(features[best].name);
}

/** The repair with the most latency saved per unit of search confidence lost. */
function bestMove(state: State, input: DeriveInput, cost: (s: State) => number, networkOnly: boolean): { apply: () => void; label: string } | null {
  const base = cost(state);
  const moves: { apply: () => void; label: string; value: number }[] = [];
  const itemKept = input.features.filter((f) => f.side !== 'context' && state.kept.has(f.name)).length;
  input.features.forEach((f, i) => {
    if (networkOnly || !state.kept.has(f.name) || (f.side !== 'context' && itemKept === 1)) return;
    const kept = new Set(state.kept);
    kept.delete(f.name);
    const saved = base - cost({ ...state, kept });
    if (saved > 0) moves.push({ apply: () => state.kept.delete(f.name), label: `drop feature ${f.name}`, value: saved / (input.theta[i] + 1e-3) });
  });
  state.layers.forEach((layer, k) => {
    const m = input.mixops[layer.mixop];
    const smaller = m.ops.flatMap((op) => (op.kind === 'dense' && op.width < layer.width ? [op.width] : [])).sort((a, b) => b - a)[0];
    const confidence = Math.max(...Array.from(m.probs));
    const options: { layers: State['layers']; label: string }[] = [];
    if (smaller !== undefined) {
      options.push({ layers: state.layers.map((x, j) => (j === k ? { ...x, width: smaller } : x)), label: `narrow layer ${k} to ${smaller}` });
    }
    if (state.layers.length > 1) options.push({ layers: state.layers.filter((_, j) => j !== k), label: `remove layer ${k}` });
    for (const o of options) {
      const saved = base - cost({ ...state, layers: o.layers });
      if (saved > 0) moves.push({ apply: () => (state.layers = o.layers), label: o.label, value: saved / (confidence + 1e-3) });
    }
  });
  moves.sort((a, b) => b.value - a.value);
  return moves[0] ?? null;
}
