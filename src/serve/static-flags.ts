// The flag evaluator used when none is given: fixed values (enabled, arm autofas, no shadow, no teacher logging).
import type { FlagEvaluator, FlagValues } from './types.js';

/** Flag values with no flag provider at all. */
export const STATIC_FLAG_DEFAULTS: FlagValues = Object.freeze({ enabled: true, arm: 'autofas', shadow: false, teacherLogRate: 0 });

/** An evaluator that answers the same values for every request. */
export function staticFlags(values: Partial<FlagValues> = {}): FlagEvaluator {
  const fixed: FlagValues = Object.freeze({ ...STATIC_FLAG_DEFAULTS, ...values });
  return { evaluate: async () => fixed };
}
