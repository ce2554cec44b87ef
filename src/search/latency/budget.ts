// Automatic lambda2 under a latency budget: a multiplicative dual (Lagrangian) update driven by E[latency] / budget.

/** Keeps lambda2 fixed, or moves it each step so that the expected latency settles just under the budget. */
export interface Lambda2Controller {
  readonly value: number;
  /** Feeds the current expected latency; returns the lambda2 to use for this step. */
  update(expectedUs: number): number;
}

/** A fixed lambda2 (the user gave `--lambda2`). */
export function fixedLambda2(value: number): Lambda2Controller {
  return { value, update: () => value };
}

/** Tuning options of the dual update. */
export interface DualOptions {
  /** Starting lambda2. @default 0.05 */
  readonly initial?: number;
  /** Step size of log(lambda2) per unit of relative violation. @default 0.05 */
  readonly rate?: number;
  /** Aim at this share of the budget, leaving room for derive's rounding. @default 0.9 */
  readonly target?: number;
}

/**
 * Dual ascent on the constraint E[lat] <= target * budget: log lambda2 += rate * (E[lat] / (target * budget) - 1),
 * clamped to [1e-4, 1e3]. Over budget lambda2 grows, under budget it decays, so the search spends what it may.
 */
export function budgetLambda2(budgetUs: number, options: DualOptions = {}): Lambda2Controller {
  const rate = options.rate ?? 0.05;
  const goal = budgetUs * (options.target ?? 0.9);
  let value = options.initial ?? 0.05;
  return {
    get value() {
      return value;
    },
    update(expectedUs: number) {
      const violation = Math.max(-1, Math.min(expectedUs / goal - 1, 3));
      value = Math.min(1e3, Math.max(1e-4, value * Math.exp(rate * violation)));
      return value;
    },
  };
}
