// The flag evaluator used when none is given (fixed values), and the one rule that turns a flag's `k` into a count.
import type { FlagEvaluator, FlagValues } from './types.js';

/** Flag values with no flag provider at all. */
export const STATIC_FLAG_DEFAULTS: FlagValues = Object.freeze({ enabled: true, arm: 'autofas', shadow: false, teacherLogRate: 0 });

/** An evaluator that answers the same values for every request. */
export function staticFlags(values: Partial<FlagValues> = {}): FlagEvaluator {
  const fixed: FlagValues = Object.freeze({ ...STATIC_FLAG_DEFAULTS, ...values });
  return { evaluate: () => fixed };
}

/**
 * The one `k` rule, for every flag evaluator: an integer of at least 1, capped at `max`. Anything else (NaN, 0,
 * negatives, fractions, non-numbers) is not a k: undefined, and the caller uses its configured k.
 */
export function clampK(value: unknown, max: number): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) return undefined;
  return Math.min(max, value);
}
