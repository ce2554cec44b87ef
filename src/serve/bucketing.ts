// Deterministic, sticky A/B bucketing by a salted hash of the unit id, for flag providers without percentage splits.
import { createHash } from 'node:crypto';
import { optionError } from '../schema/errors.js';
import { checkKnownOptions, given } from './known-options.js';
import type { Arm } from './types.js';

/** Number of buckets: rollout percentages resolve to 1/100 of a percent. */
export const BUCKETS = 10_000;

/** The bucket in [0, BUCKETS) of a unit: sha256(salt + ':' + unitId), stable across processes and releases. */
export function bucketOf(unitId: string, salt: string): number {
  const digest = createHash('sha256').update(`${salt}:${unitId}`).digest();
  return digest.readUInt32BE(0) % BUCKETS;
}

/** True when the unit falls inside a rollout of `percent` (0..100). Growing `percent` only adds units. */
export function inRollout(unitId: string, salt: string, percent: number): boolean {
  return bucketOf(unitId, salt) < percentToBuckets(percent, 'percent');
}

export interface ArmSplitOptions {
  /** Salt of the experiment; change it to reshuffle units. @default 'autofas' */
  readonly salt?: string;
  /** Percent of units on the AutoFAS model (taken from the bottom of the bucket range). @default 0 */
  readonly autofas?: number;
  /** Percent of units on the baseline pre-ranker (taken from the top of the bucket range). @default 0 */
  readonly baseline?: number;
  /** Arm of the units in neither split. @default 'off' */
  readonly rest?: Arm;
}

interface ArmSplit {
  readonly salt: string;
  readonly autofasBelow: number;
  readonly baselineFrom: number;
  readonly rest: Arm;
}

function percentToBuckets(percent: number, name: string): number {
  if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw optionError(name, 'must be a number in [0, 100]', percent);
  }
  return Math.round((percent / 100) * BUCKETS);
}

function parseSplit(options: ArmSplitOptions): ArmSplit {
  checkKnownOptions(options, ['salt', 'autofas', 'baseline', 'rest'], 'armAssigner');
  const salt = given(options.salt, 'autofas');
  if (typeof salt !== 'string' || salt.length === 0) throw optionError('salt', 'must be a non-empty string', salt);
  const a = percentToBuckets(given(options.autofas, 0), 'autofas');
  const b = percentToBuckets(given(options.baseline, 0), 'baseline');
  if (a + b > BUCKETS) throw optionError('baseline', `plus \`autofas\` must not exceed 100`, options.baseline);
  const rest = given(options.rest, 'off');
  if (!['autofas', 'baseline', 'off'].includes(rest)) throw optionError('rest', "must be 'autofas', 'baseline' or 'off'", rest);
  return { salt, autofasBelow: a, baselineFrom: BUCKETS - b, rest };
}

/**
 * Returns the arm assignment of a split. AutoFAS grows up from bucket 0 and the baseline down from the top, so
 * growing either share only moves units out of `rest`: nobody switches between the two measured arms.
 */
export function armAssigner(options: ArmSplitOptions = {}): (unitId: string) => Arm {
  const split = parseSplit(options);
  return function assignArm(unitId: string): Arm {
    const bucket = bucketOf(unitId, split.salt);
    if (bucket < split.autofasBelow) return 'autofas';
    if (bucket >= split.baselineFrom) return 'baseline';
    return split.rest;
  };
}

/**
 * A `contextEvaluator` for OpenFeature's InMemoryProvider (or any provider taking a variant function): variants
 * must be named after the arms (`{ autofas: 'autofas', baseline: 'baseline', off: 'off' }`).
 */
export function armContextEvaluator(options: ArmSplitOptions = {}): (ctx: { targetingKey?: string }) => Arm {
  const assign = armAssigner(options);
  const rest = given(options.rest, 'off');
  return (ctx) => (ctx.targetingKey ? assign(ctx.targetingKey) : rest);
}
