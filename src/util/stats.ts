// Small descriptive statistics: means, quantiles (the derive step's loss comparisons, latencies) and moving averages (serving).

/** Arithmetic mean (0 for no values). */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length === 0 ? 0 : s / values.length;
}

/** The nearest-rank `q` quantile of ascending `sorted` values (the smallest value with at least q of them at or below it). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** An exponentially weighted moving average after `value`: `value` itself when there is no average yet. */
export function movingAverage(average: number | undefined, value: number, weight: number): number {
  return average === undefined ? value : average + weight * (value - average);
}
