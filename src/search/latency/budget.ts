// lambda2 under a latency budget: a constraint, not a penalty. Zero while the model fits, dual ascent while it does not.

/** Keeps lambda2 fixed, or moves it each step against a latency budget. */
export interface Lambda2Controller {
  readonly value: number;
  /** Feeds the latency the budget constrains; returns the lambda2 to use for this step. */
  update(latencyUs: number): number;
}

/** A fixed lambda2 (the user gave `--lambda2`). */
export function fixedLambda2(value: number): Lambda2Controller {
  return { value, update: () => value };
}

/** Tuning options of the dual update. */
export interface DualOptions {
  /** Step size of log(lambda2) per unit of relative violation. @default 0.05 */
  readonly rate?: number;
  /** lambda2 a violation starts from when lambda2 is 0; below it lambda2 snaps back to 0. @default 1e-3 */
  readonly floor?: number;
  /** Largest lambda2. @default 1e3 */
  readonly ceiling?: number;
}

/**
 * The constraint latency <= budget by projected dual ascent on log lambda2. lambda2 starts at 0 and stays there
 * while the model fits: under the budget latency pushes nothing. Over it, lambda2 starts from `floor` and grows,
 * log lambda2 += rate * min(latency / budget - 1, 3); back under it, it shrinks by the full rate each step and
 * returns to 0 below `floor`, so a satisfied constraint stops pushing within a few dozen steps.
 */
export function budgetLambda2(budgetUs: number, options: DualOptions = {}): Lambda2Controller {
  const rate = options.rate ?? 0.05;
  const floor = options.floor ?? 1e-3;
  const ceiling = options.ceiling ?? 1e3;
  let value = 0;
  return {
    get value() {
      return value;
    },
    update(latencyUs: number) {
      const violation = latencyUs / budgetUs - 1;
      if (violation > 0) value = Math.min(ceiling, Math.max(value, floor) * Math.exp(rate * Math.min(violation, 3)));
      else if (value > 0) value = value * Math.exp(-rate) < floor ? 0 : value * Math.exp(-rate);
      return value;
    },
  };
}
