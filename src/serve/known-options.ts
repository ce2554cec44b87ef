// Rejects unknown option names of the operations factories, suggesting the closest known one.
import { optionError } from '../schema/errors.js';
import { suggestName } from './suggest.js';

/** Throws ERR_AUTOFAS_OPTION for a non-object or a misspelt key: "`maxByte` is not a RotatingLogSink option ...; did you mean `maxBytes`?". */
export function checkKnownOptions(options: unknown, known: readonly string[], factory: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw optionError('options', `of ${factory} must be an object`, options);
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = suggestName(key, known);
    throw optionError(key, `is not a ${factory} option`, (options as Record<string, unknown>)[key], near ? `did you mean \`${near}\`?` : '');
  }
}

/** True for an object that is not null and not an array (an options bag). */
export function isOptionsObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The option's value, or the default when it was not given (`undefined` only: `null` is a value, and refused later). */
export function given<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}
