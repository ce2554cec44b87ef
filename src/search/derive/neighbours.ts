// Derive's last step under a budget: retrained neighbours of the derived network that still fit the budget (the
// budget's feature set with every dropped feature that fits, the costliest kept feature traded for network width,
// each layer one step wider, one layer deeper), each kept only when it wins significantly on validation.
import type { Feature } from '../../schema/feature-spec.js';
import type { LatencyModel } from '../latency/latency-model.js';
import type { DerivedArchitecture } from './derive.js';
import { mean } from '../../util/stats.js';
import { significantGain } from './prune-budget.js';

/** One neighbour of the derived network, tried or not (history.json -> derived.neighbours). */
export interface NeighbourTry {
  readonly label: string;
  readonly features: readonly string[];
  readonly layers: readonly number[];
  /** Table latency per `candidates` rows. */
  readonly expectedUs: number;
  /** Mean per-request validation loss of the retrained neighbour (absent when it was not retrained). */
  readonly validLoss?: number;
  readonly validRecall?: number;
  /**
   * derived (the model the neighbours are compared with, listed first), kept (won on validation), not better, over
   * budget (never retrained), not tried (retrain limit).
   */
  readonly result: 'derived' | 'kept' | 'not better' | 'over budget' | 'not tried';
}

/** A candidate network. */
export interface Neighbour {
  readonly label: string;
  readonly architecture: DerivedArchitecture;
  readonly expectedUs: number;
}

/** What the candidates are formed from. */
export interface NeighbourInput {
  readonly architecture: DerivedArchitecture;
  /** The searchable features in spec order, and the search's keep-probabilities in the same order. */
  readonly features: readonly Feature[];
  readonly theta: ArrayLike<number>;
  /** Dense widths a Mixop offers, and how many Mixops (the deepest network). */
  readonly widths: readonly number[];
  readonly maxLayers: number;
  readonly latency: LatencyModel;
  readonly budgetUs: number;
}

/** A retrained network as the choice sees it: per-request validation losses (lower is better). */
export interface Trial {
  readonly losses: Float64Array;
  readonly validRecall?: number;
}

/** At most this many neighbours are retrained (each costs one retrain of the derived model). */
export const MAX_NEIGHBOUR_RETRAINS = 4;
/** A neighbour replaces the current model when its per-request validation loss is lower by Z standard errors. */
const Z = 2;

/** Every neighbour of the derived network, in the order they are tried (those over the budget included). */
export function neighbourCandidates(input: NeighbourInput): Neighbour[] {
  const { features, layers } = input.architecture;
  const sets: { label: string; features: readonly string[]; layers: readonly number[] }[] = [];
  const traded = tradeForWidth(input);
  if (traded) sets.push(traded);
  const filled = fillFeatures(input, features, layers);
  if (filled.length > features.length) sets.push({ label: `every feature that fits (+${filled.filter((f) => !features.includes(f)).join(', +')})`, features: filled, layers });
  layers.forEach((w, k) => {
    const wider = nextWider(input.widths, w);
    if (wider !== undefined) sets.push({ label: `layer ${k} wider (${w} -> ${wider})`, features, layers: layers.map((x, j) => (j === k ? wider : x)) });
  });
  if (layers.length < input.maxLayers && layers.length > 0) sets.push({ label: `one layer deeper (+${layers.at(-1)})`, features, layers: [...layers, layers.at(-1) as number] });
  return sets.map((s) => ({
    label: s.label,
    architecture: { ...input.architecture, features: inSpecOrder(input.features, s.features), layers: s.layers },
    expectedUs: costUs(input, s.features, s.layers),
  }));
}

/** The kept features plus every dropped one, most likely first, that keeps the table latency within the budget. */
function fillFeatures(input: NeighbourInput, kept: readonly string[], layers: readonly number[]): string[] {
  const out = [...kept];
  for (const i of byTheta(input)) {
    const name = input.features[i].name;
    if (out.includes(name)) continue;
    if (costUs(input, [...out, name], layers) <= input.budgetUs) out.push(name);
  }
  return out;
}

/**
 * The least likely kept feature (lowest keep-probability) whose removal saves latency, traded for network width: the
 * features without it, each layer widened one step at a time (first layer first) while the table latency fits. A
 * redundant copy looks valuable to the supernet (its weights learned to read it) but costs width; a retrain tells.
 */
function tradeForWidth(input: NeighbourInput): { label: string; features: readonly string[]; layers: readonly number[] } | null {
  const { features, layers } = input.architecture;
  const full = costUs(input, features, layers);
  const items = (names: readonly string[]) => names.some((f) => input.features.find((x) => x.name === f)?.side !== 'context');
  const name = [...byTheta(input)].reverse().map((i) => input.features[i].name).find((f) => {
    const rest = features.filter((x) => x !== f);
    return features.includes(f) && items(rest) && costUs(input, rest, layers) < full;
  });
  if (name === undefined) return null;
  const rest = features.filter((f) => f !== name);
  const widened = widen(input, rest, layers);
  if (widened.every((w, k) => w === layers[k])) return null;
  return { label: `${name} traded for width (${layers.join('-')} -> ${widened.join('-')})`, features: rest, layers: widened };
}

/** The narrowest offered width above `width`, or undefined at the widest. */
function nextWider(widths: readonly number[], width: number): number | undefined {
  return widths.filter((x) => x > width).sort((a, b) => a - b)[0];
}

function widen(input: NeighbourInput, features: readonly string[], layers: readonly number[]): number[] {
  const out = [...layers];
  for (let grew = true; grew; ) {
    grew = false;
    for (let k = 0; k < out.length; k++) {
      const wider = nextWider(input.widths, out[k]);
      if (wider === undefined) continue;
      const next = out.map((x, j) => (j === k ? wider : x));
      if (costUs(input, features, next) > input.budgetUs) continue;
      out[k] = wider;
      grew = true;
    }
  }
  return out;
}

/**
 * A greedy walk over neighbours (at most MAX_NEIGHBOUR_RETRAINS retrains): the first untried neighbour of the current
 * model that fits the budget is retrained; it becomes the current model when its per-request validation losses are
 * significantly lower (paired over the validation requests), or when it is cheaper and no worse on their mean.
 */
export async function chooseNeighbour<T extends Trial>(
  input: NeighbourInput,
  derived: Neighbour,
  derivedTrial: T,
  retrain: (candidate: Neighbour) => Promise<T>,
): Promise<{ best: T; chosen?: Neighbour; tries: NeighbourTry[] }> {
  let current = { neighbour: derived, trial: derivedTrial };
  let chosen: Neighbour | undefined;
  const tries: NeighbourTry[] = [record(derived, derivedTrial, 'derived')];
  const seen = new Set([keyOf(derived)]);
  for (let retrains = 0; ; ) {
    const fresh = neighbourCandidates({ ...input, architecture: current.neighbour.architecture }).filter((c) => !seen.has(keyOf(c)));
    for (const c of fresh.filter((x) => x.expectedUs > input.budgetUs)) seen.add(keyOf(c)), tries.push(record(c, undefined, 'over budget'));
    const next = fresh.find((c) => c.expectedUs <= input.budgetUs);
    if (!next) break;
    if (retrains === MAX_NEIGHBOUR_RETRAINS) {
      for (const c of fresh.filter((x) => x.expectedUs <= input.budgetUs)) tries.push(record(c, undefined, 'not tried'));
      break;
    }
    seen.add(keyOf(next));
    retrains++;
    const trial = await retrain(next);
    const wins = significantGain(current.trial.losses, trial.losses, Z)
      || (next.expectedUs < current.neighbour.expectedUs && mean(trial.losses) <= mean(current.trial.losses));
    tries.push(record(next, trial, wins ? 'kept' : 'not better'));
    if (wins) (current = { neighbour: next, trial }), (chosen = next);
  }
  return { best: current.trial, chosen, tries };
}

function record(c: Neighbour, trial: Trial | undefined, result: NeighbourTry['result']): NeighbourTry {
  const base = { label: c.label, features: c.architecture.features, layers: c.architecture.layers, expectedUs: c.expectedUs };
  if (!trial) return { ...base, result };
  return { ...base, validLoss: mean(trial.losses), ...(trial.validRecall !== undefined ? { validRecall: trial.validRecall } : {}), result };
}

function keyOf(c: Neighbour): string {
  return `${c.architecture.features.join(',')}|${c.architecture.layers.join('-')}`;
}

function byTheta(input: NeighbourInput): number[] {
  return input.features.map((_, i) => i).sort((a, b) => input.theta[b] - input.theta[a] || a - b);
}

function inSpecOrder(features: readonly Feature[], names: readonly string[]): string[] {
  return features.filter((f) => names.includes(f.name)).map((f) => f.name);
}

function costUs(input: NeighbourInput, features: readonly string[], layers: readonly number[]): number {
  return input.latency.derivedUs(new Set(features), layers).totalUs;
}
