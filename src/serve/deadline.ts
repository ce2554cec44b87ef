// Bounds the waits the plugin does not control (flag provider, item store, embedding accessors): fail open, never hang.
import { autofasError } from '../schema/errors.js';
import type { AutofasErrorCode } from '../schema/errors.js';

/** Settles like `promise`, or rejects with a coded error after `ms`; the timer is cleared either way. */
export function withDeadline<T>(promise: Promise<T>, ms: number, code: AutofasErrorCode, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(autofasError(code, `${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
