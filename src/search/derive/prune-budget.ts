// Feature choice under a latency budget: the best set that fits, not the smallest one. Meet the budget, drop what is
// worth nothing, then add back the feature (or context x item pair) with the best significant gain per microsecond.
import type { Feature } from '../../schema/feature-spec.js';
import { mean } from '../../util/stats.js';
import type { DeriveTry, PruneInput, PruneStep } from './prune.js';
import type { WeightAdapter } from './adapt.js';

/** Student loss of each fixed held-out minibatch with the gates set to `kept`. */
export type BatchLosses = (kept: ReadonlySet<string>) => Promise<Float64Array>;

/** A feature is added (or kept) when it gains Z standard errors of its per-batch gains (paired on the same minibatches)... */
const Z = 2;
/** ...and at least this share of the loss. */
const MIN_GAIN = 1e-4;
/** Pairs are tried among the most likely dropped context and item/cross features, this many of each. */
const PAIR_SIDE = 4;
/** Candidates whose validation check fails are skipped; at most this many are checked per round. */
const CONFIRM_TRIES = 3;

interface Choice {
  readonly kept: Set<string>;
  readonly steps: PruneStep[];
  /** Every candidate evaluated, in order, with what became of it. */
  readonly tries: DeriveTry[];
  /** Features removed once the weights had adapted to doing without them: never re-admitted. */
  readonly adaptedOut: Set<string>;
}

/**
 * Greedy best set under `budgetUs`: while over it, drop the feature losing least per us saved; then drop, one at a
 * time, the kept feature whose value is least and not significant (a pure-noise feature, a copy); then add back
 * the feature or pair with the best significant gain per us while the model fits the budget.
 */
export async function fillBudget(input: PruneInput, budgetUs: number, loss: BatchLosses, confirm?: BatchLosses, adapter?: WeightAdapter): Promise<Choice> {
  const choice: Choice = { kept: new Set(input.kept), steps: [], tries: [], adaptedOut: new Set() };
  let base = await loss(choice.kept);
  for (;;) {
    const over = costUs(input, choice.kept) > budgetUs;
    let best = await cheapestRemoval(input, choice.kept, base, loss, over, choice.tries, confirm);
    if (!best && !over && adapter) {
      best = await adaptedRemoval(input, choice.kept, choice.tries, adapter);
      if (best) {
        // The supernet goes on from weights adapted to the smaller set (the pick's own losses predate them).
        choice.adaptedOut.add(best.step.feature);
        await adapter.adopt(without(choice.kept, best.step.feature));
        best = { ...best, losses: await loss(without(choice.kept, best.step.feature)) };
      }
    }
    if (!best) break;
    choice.kept.delete(best.step.feature);
    choice.steps.push(best.step);
    base = best.losses;
  }
  for (;;) {
    const added = await bestAddition(input, budgetUs, choice.kept, base, loss, choice.tries, confirm, choice.adaptedOut);
    if (!added) break;
    for (const name of added.names) choice.kept.add(name);
    choice.steps.push(added.step);
    base = added.losses;
  }
  return choice;
}

interface Removal {
  readonly step: PruneStep;
  readonly losses: Float64Array;
  readonly value: number;
}

/** Over the budget: the removal losing least per us saved; otherwise the least valuable feature, if not significant. */
async function cheapestRemoval(input: PruneInput, kept: ReadonlySet<string>, base: Float64Array, loss: BatchLosses, over: boolean, tries: DeriveTry[], confirm?: BatchLosses) {
  const chosen = await pickRemoval(input, kept, base, loss, over, confirm);
  for (const o of chosen.options) {
    tries.push({ action: 'drop', feature: o.step.feature, deltaLoss: o.step.deltaLoss, deltaUs: -o.step.savedUs, result: o === chosen.pick ? 'dropped' : 'kept' });
  }
  return chosen.pick;
}

async function pickRemoval(input: PruneInput, kept: ReadonlySet<string>, base: Float64Array, loss: BatchLosses, over: boolean, confirm?: BatchLosses) {
  const latencyUs = costUs(input, kept);
  const itemKept = input.supernet.features.filter((f) => f.side !== 'context' && kept.has(f.name)).length;
  const options: Removal[] = [];
  for (const f of input.supernet.features) {
    if (!kept.has(f.name) || (f.side !== 'context' && itemKept === 1)) continue;
    const rest = without(kept, f.name);
    const savedUs = latencyUs - costUs(input, rest);
    if (over && savedUs <= 0) continue;
    const losses = await loss(rest);
    const delta = mean(losses) - mean(base);
    options.push({ step: { feature: f.name, deltaLoss: delta, savedUs }, losses, value: over ? delta / savedUs : delta });
  }
  options.sort((a, b) => a.value - b.value);
  if (over) return { options, pick: options[0] ?? null };
  const before = confirm && (await confirm(kept));
  for (const option of options) {
    // A feature stays when it passes the test an addition must pass (on both held-out sets).
    if (!significantGain(option.losses, base, Z, priorPrice(input, [option.step.feature], kept))) return { options, pick: option };
    if (confirm && before && !significantGain(await confirm(without(kept, option.step.feature)), before, Z)) return { options, pick: option };
  }
  return { options, pick: null };
}

/** Kept features whose removal saves latency are re-tested with adapted weights, at most this many per round. */
const ADAPT_TRIES = 2;

/**
 * When no kept feature may go by the supernet as trained (its weights learned to read every kept feature, a redundant
 * copy included): those whose removal saves latency, most saved first (of a redundant pair the costlier goes), are
 * re-tested with the weights adapted to doing without them (adapt.ts); the first not significant then is removed.
 */
async function adaptedRemoval(input: PruneInput, kept: ReadonlySet<string>, tries: DeriveTry[], adapter: WeightAdapter): Promise<Removal | null> {
  const latencyUs = costUs(input, kept);
  const itemKept = input.supernet.features.filter((f) => f.side !== 'context' && kept.has(f.name)).length;
  const costly = input.supernet.features
    .filter((f) => kept.has(f.name) && (f.side === 'context' || itemKept > 1))
    .map((f) => ({ name: f.name, savedUs: latencyUs - costUs(input, without(kept, f.name)) }))
    .filter((x) => x.savedUs > 0)
    .sort((a, b) => b.savedUs - a.savedUs)
    .slice(0, ADAPT_TRIES);
  if (costly.length === 0) return null;
  const base = await adapter.losses(kept);
  for (const { name, savedUs } of costly) {
    const rest = await adapter.losses(without(kept, name));
    const deltaLoss = mean(rest) - mean(base);
    const significant = significantGain(rest, base, Z, priorPrice(input, [name], kept));
    tries.push({ action: 'drop', feature: name, deltaLoss, deltaUs: -savedUs, result: significant ? 'kept (adapted)' : 'dropped (adapted)' });
    if (!significant) return { step: { feature: name, deltaLoss, savedUs }, losses: rest, value: deltaLoss };
  }
  return null;
}

function without(kept: ReadonlySet<string>, name: string): Set<string> {
  const out = new Set(kept);
  out.delete(name);
  return out;
}

interface Addition {
  readonly names: readonly string[];
  readonly step: PruneStep;
  readonly losses: Float64Array;
  readonly value: number;
}

/** The single feature (or, when none pays, the pair) with the best significant gain per us that fits the budget. */
async function bestAddition(input: PruneInput, budgetUs: number, kept: ReadonlySet<string>, base: Float64Array, loss: BatchLosses, tries: DeriveTry[], confirm: BatchLosses | undefined, adaptedOut: ReadonlySet<string>) {
  const dropped = droppedByTheta(input, kept).filter((f) => !adaptedOut.has(f.name));
  let options = await rankAdditions(input, budgetUs, kept, dropped.map((f) => [f.name]), base, loss, tries);
  if (options.length === 0) options = await rankAdditions(input, budgetUs, kept, pairs(dropped), base, loss, tries);
  const record = (o: Addition, result: DeriveTry['result']) => tries.push({ action: 'add', feature: o.step.feature, deltaLoss: o.step.deltaLoss, deltaUs: -o.step.savedUs, result });
  if (!confirm) {
    if (options[0]) record(options[0], 'added');
    return options[0] ?? null;
  }
  const before = await confirm(kept);
  for (const option of options.slice(0, CONFIRM_TRIES)) {
    // The gain must show on a second held-out set the gates never trained on (the validation split).
    const confirmed = significantGain(before, await confirm(new Set([...kept, ...option.names])), Z);
    record(option, confirmed ? 'added' : 'not confirmed');
    if (confirmed) return option;
  }
  return null;
}

async function rankAdditions(input: PruneInput, budgetUs: number, kept: ReadonlySet<string>, sets: string[][], base: Float64Array, loss: BatchLosses, tries: DeriveTry[]): Promise<Addition[]> {
  const latencyUs = costUs(input, kept);
  const out: Addition[] = [];
  for (const names of sets) {
    const withThem = new Set([...kept, ...names]);
    const addedUs = costUs(input, withThem) - latencyUs;
    if (latencyUs + addedUs > budgetUs) {
      tries.push({ action: 'add', feature: names.join('+'), deltaUs: addedUs, result: 'over budget' });
      continue;
    }
    const losses = await loss(withThem);
    const delta = mean(losses) - mean(base);
    if (!significantGain(base, losses, Z, priorPrice(input, names, withThem))) {
      tries.push({ action: 'add', feature: names.join('+'), deltaLoss: delta, deltaUs: addedUs, result: 'not significant' });
      continue;
    }
    out.push({ names, losses, value: -delta / Math.max(addedUs, 1), step: { feature: names.join('+'), deltaLoss: delta, savedUs: -addedUs } });
  }
  // Stable sort on a deterministic order: ties keep spec order.
  return out.sort((a, b) => b.value - a.value);
}

/** Mean paired gain (base - after, per batch or request) above z standard errors and above MIN_GAIN of the loss. */
export function significantGain(base: Float64Array, after: Float64Array, z: number, price = 0): boolean {
  const gains = Array.from(base, (b, i) => b - after[i]);
  const g = mean(gains);
  const sd = Math.sqrt(gains.reduce((s, x) => s + (x - g) ** 2, 0) / Math.max(1, gains.length - 1));
  return g > z * (sd / Math.sqrt(gains.length)) && g > MIN_GAIN * Math.abs(mean(base)) && g > price;
}

/**
 * Price of `names` under the masks' complexity prior, in loss units: sparsity * sum (L_i + beta) / 1000 over those of
 * them whose source does not bind Eq. 3-4's max for the set `withThem` (they add no feature latency, so the budget
 * does not price them; the others compete for the budget by gain per us).
 */
function priorPrice(input: PruneInput, names: readonly string[], withThem: ReadonlySet<string>): number {
  const { latency, config } = input;
  const binding = latency.featureUs(latency.features.map((f) => (withThem.has(f.name) ? 1 : 0))).dTheta;
  let us = 0;
  latency.features.forEach((f, i) => {
    if (names.includes(f.name) && binding[i] === 0) us += f.us + latency.betaUs;
  });
  return (config.sparsity * us) / 1000;
}

/** Features not kept, most likely first (the search's keep-probabilities). */
function droppedByTheta(input: PruneInput, kept: ReadonlySet<string>): Feature[] {
  const theta = input.supernet.theta();
  const order = input.supernet.features.map((f, i) => ({ f, t: theta[i], i }));
  return order.filter((x) => !kept.has(x.f.name)).sort((a, b) => b.t - a.t || a.i - b.i).map((x) => x.f);
}

/** Context x item/cross pairs (a user vector with an item vector helps only together). */
function pairs(dropped: readonly Feature[]): string[][] {
  const ctx = dropped.filter((f) => f.side === 'context').slice(0, PAIR_SIDE);
  const item = dropped.filter((f) => f.side !== 'context').slice(0, PAIR_SIDE);
  return ctx.flatMap((a) => item.map((b) => [a.name, b.name]));
}

function costUs(input: PruneInput, kept: ReadonlySet<string>): number {
  return input.latency.derivedUs(kept, input.layers).totalUs;
}

