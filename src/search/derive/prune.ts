// Counterfactual feature refinement on the trained supernet: under lambda2, drop one at a time the kept feature whose
// removal pays most and add back dropped ones that pay; under a budget, the best set that fits (prune-budget.ts).
import type { Feature } from '../../schema/feature-spec.js';
import { createEvaluator } from '../../graph/evaluate.js';
import type { Feeds } from '../../graph/runtime.js';
import { createRng } from '../../util/random.js';
import { BatchSampler, teacherScale } from '../data/batches.js';
import type { SearchConfig } from '../search/config.js';
import type { Dataset } from '../data/dataset-types.js';
import type { LatencyModel } from '../latency/latency-model.js';
import { LATENCY_UNIT_US } from '../latency/latency-model.js';
import type { Supernet } from '../model/supernet.js';
import { fillBudget, type BatchLosses } from './prune-budget.js';
import { weightAdapter } from './adapt.js';
import { mean } from '../../util/stats.js';

/** One pruning decision, for the history and the card. */
export interface PruneStep {
  readonly feature: string;
  readonly deltaLoss: number;
  readonly savedUs: number;
}

/** One candidate the budget's feature choice evaluated, kept or not (history.json -> derived.tries). */
export interface DeriveTry {
  /** `drop` a kept feature, or `add` a dropped one (a pair is `a+b`). */
  readonly action: 'drop' | 'add';
  readonly feature: string;
  /** Mean held-out loss change of the move (negative helps); absent when it was not evaluated (over the budget). */
  readonly deltaLoss?: number;
  /** Table latency the move adds (negative: saves). */
  readonly deltaUs: number;
  /**
   * dropped / added; kept (its removal costs significantly); not significant, not confirmed (on validation), over
   * budget; kept (adapted) / dropped (adapted): the removal re-tested with the weights adapted to doing without it.
   */
  readonly result: 'dropped' | 'added' | 'kept' | 'not significant' | 'not confirmed' | 'over budget' | 'kept (adapted)' | 'dropped (adapted)';
}

/** What pruneFeatures reads. */
export interface PruneInput {
  readonly supernet: Supernet;
  /** Held-out requests the loss is measured on. */
  readonly data: Dataset;
  readonly config: SearchConfig;
  readonly latency: LatencyModel;
  readonly lambda2: number;
  readonly kept: ReadonlySet<string>;
  readonly layers: readonly number[];
  readonly budgetUs?: number;
  /** Requests the supernet's weights train on: under a budget, a removal is re-tested with the weights adapted on them. */
  readonly train?: Dataset;
  /** A second held-out set that must confirm every re-admitted feature (the validation split). */
  readonly confirm?: Dataset;
  /** Fixed minibatches the loss is averaged over. @default 8 (16 under a budget: decisions there rest on significance) */
  readonly batches?: number;
}

/**
 * Greedy elimination (and re-admission) by the search objective: student loss + lambda2 * latency / 1000, measured
 * on held-out minibatches with the gates fixed to each candidate set.
 */
export async function pruneFeatures(input: PruneInput): Promise<{ kept: Set<string>; steps: PruneStep[]; tries?: DeriveTry[] }> {
  const { supernet, config } = input;
  const sg = supernet.build(config.distill, config.lambda1, config.candidatesPerRequest);
  const evaluator = await createEvaluator(sg.g, [sg.losses.student], { threads: config.threads });
  const features: readonly Feature[] = supernet.features;
  const lossOn = (data: Dataset, seed: number): BatchLosses => {
    const sampler = new BatchSampler(data, features, teacherScale(data.teacher), config.requestsPerBatch, config.candidatesPerRequest, createRng(seed));
    const batches: Feeds[] = Array.from({ length: input.batches ?? (input.budgetUs === undefined ? 8 : 16) }, () => sampler.next().feeds);
    return async (kept) => {
      features.forEach((f, i) => (supernet.gates[i] = kept.has(f.name) ? 1 : 0));
      const losses = new Float64Array(batches.length);
      for (const [b, feeds] of batches.entries()) {
        const out = await evaluator.run(feeds);
        losses[b] = (out[sg.losses.student.name].data as Float32Array)[0];
      }
      return losses;
    };
  };
  const loss = lossOn(input.data, config.seed + 1);
  const confirm = input.confirm && input.confirm.requests > 0 ? lossOn(input.confirm, config.seed + 2) : undefined;
  try {
    const adapted = input.train && weightAdapter(supernet, config, input.train, loss);
    if (input.budgetUs !== undefined) return await fillBudget(input, input.budgetUs, loss, confirm, adapted);
    const meanOf = (f: BatchLosses): LossOf => async (kept) => mean(await f(kept));
    return await refine(input, meanOf(loss), confirm && meanOf(confirm));
  } finally {
    supernet.gates.fill(1);
    await evaluator.dispose();
  }
}

async function refine(input: PruneInput, loss: LossOf, confirm: LossOf | undefined): Promise<{ kept: Set<string>; steps: PruneStep[] }> {
  const kept = new Set(input.kept);
  const steps: PruneStep[] = [];
  let base = await loss(kept);
  for (let round = 0; round < 2 * input.supernet.features.length; round++) {
    const removed = await removeOne(input, kept, base, loss);
    if (removed) {
      steps.push(removed.step);
      base = removed.loss;
      continue;
    }
    const added = await addOne(input, kept, base, loss, confirm);
    if (!added) break;
    steps.push(added.step);
    base = added.loss;
  }
  return { kept, steps };
}

type LossOf = (kept: ReadonlySet<string>) => Promise<number>;

/** Removes the feature whose removal pays most under lambda2. */
async function removeOne(input: PruneInput, kept: Set<string>, base: number, loss: LossOf): Promise<{ step: PruneStep; loss: number } | null> {
  const best = await bestRemoval(input, kept, base, loss);
  if (!best) return null;
  if (best.cost >= minGain(base)) return null;
  kept.delete(best.step.feature);
  return best;
}

/** Adds the dropped feature that improves the loss most per us, if it pays under lambda2. */
async function addOne(
  input: PruneInput,
  kept: Set<string>,
  base: number,
  loss: LossOf,
  confirm: LossOf | undefined,
): Promise<{ step: PruneStep; loss: number } | null> {
  const latencyUs = input.latency.derivedUs(kept, input.layers).totalUs;
  let best: { step: PruneStep; loss: number; value: number } | null = null;
  for (const f of input.supernet.features) {
    if (kept.has(f.name)) continue;
    const withIt = new Set(kept).add(f.name);
    const addedUs = input.latency.derivedUs(withIt, input.layers).totalUs - latencyUs;
    const l = await loss(withIt);
    const gain = base - l;
    const pays = gain - latencyPrice(input, addedUs) > ADD_GAIN * Math.abs(base);
    const value = gain / Math.max(addedUs, 1);
    if (pays && (!best || value > best.value)) best = { step: { feature: f.name, deltaLoss: l - base, savedUs: -addedUs }, loss: l, value };
  }
  if (!best) return null;
  // A re-admission must also lower the loss on a second held-out set the gates were never trained on.
  if (confirm && (await confirm(new Set(kept).add(best.step.feature))) >= (await confirm(kept))) return null;
  kept.add(best.step.feature);
  return best;
}

/**
 * A feature must be worth 0.2% of the loss to stay (about the noise floor of the fixed evaluation batches: a
 * pure-noise feature scores near zero) and 1% to come back once dropped; the gap keeps decisions from cycling.
 */
function minGain(base: number): number {
  return 2e-3 * Math.abs(base);
}

const ADD_GAIN = 1e-2;

/** What latency costs in loss units: lambda2 per ms. */
function latencyPrice(input: PruneInput, us: number): number {
  return (input.lambda2 * us) / LATENCY_UNIT_US;
}

async function bestRemoval(
  input: PruneInput,
  kept: ReadonlySet<string>,
  base: number,
  loss: (kept: ReadonlySet<string>) => Promise<number>,
): Promise<{ step: PruneStep; loss: number; cost: number } | null> {
  const latencyUs = input.latency.derivedUs(kept, input.layers).totalUs;
  const itemKept = input.supernet.features.filter((f) => f.side !== 'context' && kept.has(f.name)).length;
  let best: { step: PruneStep; loss: number; cost: number } | null = null;
  for (const f of input.supernet.features) {
    if (!kept.has(f.name) || (f.side !== 'context' && itemKept === 1)) continue;
    const without = new Set(kept);
    without.delete(f.name);
    const l = await loss(without);
    const savedUs = latencyUs - input.latency.derivedUs(without, input.layers).totalUs;
    const cost = l - base - latencyPrice(input, savedUs);
    if (!best || cost < best.cost) best = { step: { feature: f.name, deltaLoss: l - base, savedUs }, loss: l, cost };
  }
  return best;
}
