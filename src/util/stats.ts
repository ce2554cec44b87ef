// Small descriptive statistics over typed arrays, shared by the derive step's loss comparisons.

/** Arithmetic mean (0 for no values). */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length === 0 ? 0 : s / values.length;
}
