// Small statistics helpers of the serving benchmark: percentiles and fixed-point formatting.

/** The `p` quantile of `xs` (nearest rank). */
export function pct(xs: readonly number[], p: number): number {
  return [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
}

/** `x` with `d` decimals. */
export function f(x: number, d = 3): string {
  return x.toFixed(d);
}
