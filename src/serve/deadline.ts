// Bounds the waits the plugin does not control (flag provider, item store, model run, accessors): fail open, never hang.
import { autofasError } from '../schema/errors.js';
import type { AutofasErrorCode } from '../schema/errors.js';

/**
 * Settles like `promise`, or rejects with a coded error after `ms`; the timer is cleared either way. (One promise and
 * one timer: it is on every request's path several times.)
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, code: AutofasErrorCode, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(autofasError(code, `${what} did not answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/**
 * The one deadline of a request: flags, store read, encoding, the wait for a worker and the model run all spend the
 * same `budgetMs`, so a stalled stage leaves less to the next instead of adding its own `timeoutMs`.
 */
export class RequestDeadline {
  readonly #now: () => number;
  readonly #endsAt: number;

  constructor(now: () => number, budgetMs: number) {
    this.#now = now;
    this.#endsAt = now() + budgetMs;
  }

  /** Milliseconds left (0 once passed). */
  remaining(): number {
    return Math.max(0, this.#endsAt - this.#now());
  }

  /** Settles like `promise` within the time left; rejects at once with `code` when nothing is left. */
  bound<T>(promise: Promise<T>, code: AutofasErrorCode, what: string): Promise<T> {
    const left = this.remaining();
    if (left <= 0) {
      promise.catch(() => undefined); // its late failure must not be an unhandled rejection
      return Promise.reject(autofasError(code, `${what}: the request deadline had passed`));
    }
    return withDeadline(promise, left, code, what);
  }
}
