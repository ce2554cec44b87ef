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
 * A breaker guarding `action` (opossum's open/halfOpen/close go to `onState`). The last argument of every call is the
 * time left of the request's deadline: the call is bounded by it (`timeoutCode`, counted as a failure), so the stages
 * before it share one `timeoutMs` instead of each adding its own.
 */
export function createBreaker<A extends unknown[], R>(
  name: string,
  action: (...args: A) => Promise<R>,
  options: BreakerOptions,
  onState: (state: BreakerState) => void,
  timeoutCode: AutofasErrorCode = 'ERR_AUTOFAS_TIMEOUT',
): CircuitBreaker<[...A, number], R> {
  const bounded = (...args: [...A, number]): Promise<R> => {
    const remainingMs = args[args.length - 1] as number;
    const run = action(...(args.slice(0, -1) as unknown as A));
    return withDeadline(run, Math.max(1, remainingMs), timeoutCode, name);
  };
  const breaker = new CircuitBreaker<[...A, number], R>(bounded, {
    name,
    timeout: false,
    errorThresholdPercentage: options.errorThresholdPercentage,
    volumeThreshold: options.volumeThreshold,
    resetTimeout: options.resetTimeoutMs,
    rollingCountTimeout: options.rollingWindowMs,
    rollingCountBuckets: 10,
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
