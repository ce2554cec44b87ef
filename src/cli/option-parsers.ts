// Commander argument parsers shared by the `autofas` subcommands: each throws optionError naming the flag.
import { optionError } from '../schema/errors.js';

/** Parser for an integer flag no smaller than `min`. */
export function int(flag: string, min = 1) {
  return (text: string): number => {
    const v = Number(text);
    if (!Number.isInteger(v) || v < min) throw optionError(flag, `must be an integer >= ${min}`, text);
    return v;
  };
}

/** Parser for a positive (or, with `allowZero`, non-negative) finite number. */
export function positive(flag: string, allowZero = false) {
  return (text: string): number => {
    const v = Number(text);
    if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw optionError(flag, `must be a ${allowZero ? 'non-negative' : 'positive'} number`, text);
    return v;
  };
}

/** Parser for a held-out share of requests, in [0, 0.5). */
export function share(flag: string) {
  return (text: string): number => {
    const v = Number(text);
    if (!(v >= 0 && v < 0.5)) throw optionError(flag, 'must be a number in [0, 0.5)', text);
    return v;
  };
}

/** Parser for a comma-separated list of positive integers. */
export function intList(flag: string) {
  return (text: string): number[] => {
    const values = text.split(',').map((s) => Number(s.trim()));
    if (values.some((v) => !Number.isInteger(v) || v < 1)) throw optionError(flag, 'must be a comma-separated list of positive integers', text);
    return values;
  };
}
