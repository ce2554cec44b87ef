// The opossum breakers around model runs and item-store reads: timeout, error threshold over a volume, reset; its states become events.
import CircuitBreaker from 'opossum';
import type { AutofasErrorCode } from '../schema/errors.js';
import { withDeadline } from './deadline.js';

export interface BreakerOptions {
  readonly timeoutMs: number;
  readonly errorThresholdPercentage: number;
  readonly volumeThreshold: number;
  readonly resetTimeoutMs: number;
  readonly rollingWindowMs: number;
}

export type BreakerState = 'open' | 'halfOpen' | 'closed';

/**
 * A breaker guarding `action` (opossum's open/halfOpen/close go to `onState`). Every call is bounded by `timeoutMs`
 * from its own start (`timeoutCode`, counted as a failure): the breaker judges the guarded thing by whether it
 * answers within `timeoutMs`, not by how much time the request had left when it started. The request races its own
 * deadline outside the breaker, so a request that ran out of time waiting elsewhere never counts against the model.
 * `limitMs` replaces `timeoutMs` as that bound when the action judges its own time (the model run, on its worker).
 */
export function createBreaker<A extends unknown[], R>(
  name: string,
  action: (...args: A) => Promise<R>,
  options: BreakerOptions,
  onState: (state: BreakerState) => void,
  timeoutCode: AutofasErrorCode = 'ERR_AUTOFAS_TIMEOUT',
  limitMs = options.timeoutMs,
): CircuitBreaker<A, R> {
  const bounded = (...args: A): Promise<R> => withDeadline(action(...args), limitMs, timeoutCode, name);
  const breaker = new CircuitBreaker<A, R>(bounded, {
    name,
    timeout: false,
    errorThresholdPercentage: options.errorThresholdPercentage,
    volumeThreshold: options.volumeThreshold,
    resetTimeout: options.resetTimeoutMs,
    rollingCountTimeout: options.rollingWindowMs,
    rollingCountBuckets: 10,
    // Latency percentiles are not used: without them a call records no latency, and a failure's error-rate check
    // does not concatenate and sort every latency of the window (at 1,000 calls a second, 10,000 numbers).
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
  });
  breaker.on('open', () => onState('open'));
  breaker.on('halfOpen', () => onState('halfOpen'));
  breaker.on('close', () => onState('closed'));
  return breaker;
}

/** The breaker's current state. */
export function breakerState(breaker: CircuitBreaker<never, unknown> | CircuitBreaker<any, any>): BreakerState {
  if (breaker.opened) return 'open';
  if (breaker.halfOpen) return 'halfOpen';
  return 'closed';
}

/** The coded reason of a breaker rejection (opossum codes become AutoFAS codes). */
export function breakerReason(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (code === 'EOPENBREAKER') return 'ERR_AUTOFAS_BREAKER_OPEN';
  if (code === 'ETIMEDOUT') return 'ERR_AUTOFAS_TIMEOUT';
  if (typeof code === 'string' && code.startsWith('ERR_AUTOFAS_')) return code;
  return 'ERR_AUTOFAS_SCORER';
}
