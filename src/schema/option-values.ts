// The one set of option-value checks of the library's parseOptions() functions: the value, or the default when it is
// undefined, or a TypeError (ERR_AUTOFAS_OPTION) naming the option and echoing the bad value.
import { optionError } from './errors.js';

/** An integer option no smaller than `min`. */
export function intOption(name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw optionError(name, `must be an integer >= ${min}`, value);
  return value;
}

/** A finite number option in [min, max] (or (min, max] when `openMin`). */
export function numberOption(name: string, value: unknown, fallback: number, min: number, max = Infinity, openMin = false): number {
  if (value === undefined) return fallback;
  const bad = typeof value !== 'number' || !Number.isFinite(value) || value > max || (openMin ? value <= min : value < min);
  if (bad) throw optionError(name, `must be a number in ${openMin ? '(' : '['}${min}, ${max}]`, value);
  return value as number;
}

/** A non-empty list of layer widths (integers in [1, 4096]), in the given order. */
export function widthsOption(name: string, value: unknown, fallback: readonly number[]): readonly number[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.length === 0 || value.some((w) => !Number.isInteger(w) || w < 1 || w > 4096)) {
    throw optionError(name, 'must be a non-empty array of integers in [1, 4096]', value);
  }
  return [...(value as number[])];
}
