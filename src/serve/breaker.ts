// The opossum breaker around model runs: timeout, error threshold over a volume, reset; its states become events.
import CircuitBreaker from 'opossum';
import type { EventEmitter } from 'node:events';
import { withDeadline } from './deadline.js';
import type { PreRankEventMap } from './types.js';

export interface BreakerOptions {
  readonly timeoutMs: number;
  readonly errorThresholdPercentage: number;
  readonly volumeThreshold: number;
  readonly resetTimeoutMs: number;
  readonly rollingWindowMs: number;
}

export type BreakerState = 'open' | 'halfOpen' | 'closed';

/**
 * A breaker guarding `action`; opossum's open/halfOpen/close become 'breaker' events on `events`. The last argument
 * of every call is the time left of the request's model-path deadline: the run is bounded by it (a coded
 * ERR_AUTOFAS_TIMEOUT, counted as a failure), so checks, store reads and encoding before the run share `timeoutMs`
 * with it instead of adding to it.
 */
export function createBreaker<A extends unknown[], R>(
  action: (...args: A) => Promise<R>,
  options: BreakerOptions,
  events: EventEmitter<PreRankEventMap>,
): CircuitBreaker<[...A, number], R> {
  const bounded = (...args: [...A, number]): Promise<R> => {
    const remainingMs = args[args.length - 1] as number;
    const run = action(...(args.slice(0, -1) as unknown as A));
    return withDeadline(run, Math.max(1, remainingMs), 'ERR_AUTOFAS_TIMEOUT', 'the model run');
  };
  const breaker = new CircuitBreaker<[...A, number], R>(bounded, {
    name: 'autofas-model',
    timeout: false,
    errorThresholdPercentage: options.errorThresholdPercentage,
    volumeThreshold: options.volumeThreshold,
    resetTimeout: options.resetTimeoutMs,
    rollingCountTimeout: options.rollingWindowMs,
    rollingCountBuckets: 10,
  });
  breaker.on('open', () => events.emit('breaker', 'open'));
  breaker.on('halfOpen', () => events.emit('breaker', 'halfOpen'));
  breaker.on('close', () => events.emit('breaker', 'closed'));
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
