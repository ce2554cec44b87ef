// Small statistics helpers of the serving benchmark: percentiles and fixed-point formatting.
import { quantile } from '../src/util/stats.js';

/** The `p` quantile of `xs` (the library's one nearest-rank rule, on a sorted copy). */
export function pct(xs: readonly number[], p: number): number {
  return quantile([...xs].sort((a, b) => a - b), p);
}

/** `x` with `d` decimals. */
export function f(x: number, d = 3): string {
  return x.toFixed(d);
}
