// Per-request flags through OpenFeature's named client 'autofas' (never sets a provider); defaults without one.
import { intOption } from '../schema/option-values.js';
import { optionError } from '../schema/errors.js';
import { checkKnownOptions, given, isOptionsObject } from './known-options.js';
import { clampK, STATIC_FLAG_DEFAULTS } from './static-flags.js';
import type { Arm, FlagEvaluator, FlagValues } from './types.js';

/** Flag keys the plugin reads. */
export const FLAG_KEYS = {
  enabled: 'autofas.enabled',
  arm: 'autofas.arm',
  k: 'autofas.k',
  shadow: 'autofas.shadow',
  teacherLogRate: 'autofas.teacherLogRate',
} as const;

/** The flag values with no provider at all (the same as the middleware's static defaults). */
export const DEFAULT_FLAGS: FlagValues = STATIC_FLAG_DEFAULTS;

type EvalContext = Record<string, string | number | boolean>;

/** The part of an OpenFeature `Client` the plugin uses (structural, so the SDK stays an optional peer). */
export interface FlagClient {
  getBooleanValue(key: string, defaultValue: boolean, context?: EvalContext): Promise<boolean>;
  getStringValue(key: string, defaultValue: string, context?: EvalContext): Promise<string>;
  getNumberValue(key: string, defaultValue: number, context?: EvalContext): Promise<number>;
}

export interface FlagOptions {
  /** An OpenFeature client to use instead of `OpenFeature.getClient(domain)`. @default the SDK's named client */
  readonly client?: FlagClient;
  /** OpenFeature domain of the named client. @default 'autofas' */
  readonly domain?: string;
  /** Values used when a flag is unset, its provider is missing or fails. @default DEFAULT_FLAGS */
  readonly defaults?: Partial<FlagValues>;
  /** Upper bound of `autofas.k` (set it to the middleware's `maxCandidates`). @default 100000 */
  readonly maxK?: number;
  /** Called when evaluation fails (defaults are used instead). @default ignore */
  readonly onError?: (err: unknown) => void;
}

interface FlagConfig {
  readonly clientPromise: () => Promise<FlagClient | null>;
  readonly defaults: FlagValues;
  readonly maxK: number;
  readonly onError: (err: unknown) => void;
}

/** What the provider answers for an unset `autofas.k` (then `defaults.k`, else the middleware's `k`). */
const UNSET_K = -1;

const ARMS: readonly Arm[] = ['autofas', 'baseline', 'off'];

function parseOptions(options: FlagOptions): FlagConfig {
  checkKnownOptions(options, ['client', 'domain', 'defaults', 'maxK', 'onError'], 'createFlagEvaluator');
  const domain = given(options.domain, 'autofas');
  if (typeof domain !== 'string' || domain === '') throw optionError('domain', 'must be a non-empty string', domain);
  const maxK = intOption('maxK', options.maxK, 100_000);
  if (options.defaults !== undefined && !isOptionsObject(options.defaults)) throw optionError('defaults', 'must be an object of flag values', options.defaults);
  const defaults = { ...DEFAULT_FLAGS, ...given(options.defaults, {}) };
  if (!ARMS.includes(defaults.arm)) throw optionError('defaults.arm', "must be 'autofas', 'baseline' or 'off'", defaults.arm);
  if (defaults.k !== undefined && clampK(defaults.k, maxK) !== defaults.k) throw optionError('defaults.k', `must be an integer from 1 to maxK (${maxK})`, defaults.k);
  const client = options.client;
  let cached: Promise<FlagClient | null> | null = null;
  const clientPromise = (): Promise<FlagClient | null> =>
    (cached ??= client ? Promise.resolve(client) : sdkClient(domain));
  const onError = given(options.onError, () => {});
  if (typeof onError !== 'function') throw optionError('onError', 'must be a function', onError);
  if (client !== undefined && (typeof client !== 'object' || client === null || typeof client.getBooleanValue !== 'function')) {
    throw optionError('client', 'must be an OpenFeature client', client);
  }
  return { clientPromise, defaults, maxK, onError };
}

/** The SDK's named client, or null when `@openfeature/server-sdk` is not installed (defaults then apply). */
async function sdkClient(domain: string): Promise<FlagClient | null> {
  try {
    const sdk = await import('@openfeature/server-sdk');
    return sdk.OpenFeature.getClient(domain) as unknown as FlagClient;
  } catch {
    return null;
  }
}

/** Flattens the request context into an OpenFeature evaluation context keyed by the unit id. */
function evaluationContext(unitId: string, context: Readonly<Record<string, unknown>>): EvalContext {
  const out: EvalContext = {};
  for (const [key, value] of Object.entries(context)) {
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      out[key] = value;
    }
  }
  out.targetingKey = unitId;
  return out;
}

function clampRate(value: number, fallback: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : fallback;
}

/** Resolves the plugin's flags through OpenFeature; never throws (defaults on any trouble). */
export function createFlagEvaluator(options: FlagOptions = {}): FlagEvaluator {
  const config = parseOptions(options);
  const d = config.defaults;
  const guard = <T>(promise: Promise<T>, fallback: T): Promise<T> =>
    promise.catch((err: unknown) => {
      config.onError(err);
      return fallback;
    });
  return {
    async evaluate(unitId, context) {
      let client: FlagClient | null;
      try {
        client = await config.clientPromise();
      } catch (err) {
        config.onError(err);
        client = null;
      }
      if (!client) return d;
      const ctx = evaluationContext(unitId, context);
      const c = client;
      const call = <T>(fn: () => Promise<T>, fallback: T): Promise<T> => guard(Promise.resolve().then(fn), fallback);
      const [enabled, arm, k, shadow, rate] = await Promise.all([
        call(() => c.getBooleanValue(FLAG_KEYS.enabled, d.enabled, ctx), d.enabled),
        call(() => c.getStringValue(FLAG_KEYS.arm, d.arm, ctx), d.arm as string),
        call(() => c.getNumberValue(FLAG_KEYS.k, UNSET_K, ctx), UNSET_K),
        call(() => c.getBooleanValue(FLAG_KEYS.shadow, d.shadow, ctx), d.shadow),
        call(() => c.getNumberValue(FLAG_KEYS.teacherLogRate, d.teacherLogRate, ctx), d.teacherLogRate),
      ]);
      return {
        enabled: typeof enabled === 'boolean' ? enabled : d.enabled,
        arm: ARMS.includes(arm as Arm) ? (arm as Arm) : d.arm,
        // A bad value is passed on as it is: the middleware applies the one k rule and counts it (ERR_AUTOFAS_FLAGS).
        k: k === UNSET_K ? d.k : (clampK(k, config.maxK) ?? k),
        shadow: typeof shadow === 'boolean' ? shadow : d.shadow,
        teacherLogRate: clampRate(typeof rate === 'number' ? rate : NaN, d.teacherLogRate),
      };
    },
  };
}
