// Options of `redisItemStore`, their defaults and their one parser.
import { intOption } from '../schema/option-values.js';
import { optionError } from '../schema/errors.js';
import { parseFeatureSpec } from '../schema/feature-spec.js';
import type { FeatureSpec } from '../schema/feature-spec.js';
import { checkKnownOptions, given, isOptionsObject } from './known-options.js';
import type { ItemStore, PreRankLogger } from './option-types.js';
import { DEFAULT_KEY_PREFIX } from './redis-layout.js';

export interface RedisItemStoreOptions {
  /** The feature spec (features.json, parsed): the store decodes each value by its feature's type. Required. */
  readonly featureSpec?: FeatureSpec;
  /** Server URL. @default 'redis://127.0.0.1:6379' */
  readonly url?: string;
  /** Prefix of every key. @default 'autofas:' */
  readonly keyPrefix?: string;
  /** Cross feature -> the context fields whose values key it (e.g. `{ user_cat_clicks: ['user_id'] }`). @default {} */
  readonly crossKeys?: Readonly<Record<string, readonly string[]>>;
  /** Serves the cross features that have no `crossKeys` entry (e.g. computed per request). @default none: such a feature fails the fetch */
  readonly resolveCross?: ItemStore;
  /** A command without an answer after this long is failed (it frees the client; the plugin's own deadline is `timeoutMs`). @default 1000 */
  readonly commandTimeoutMs?: number;
  /** Connection attempt timeout. @default 2000 */
  readonly connectTimeoutMs?: number;
  /** Longest wait between reconnection attempts (they back off from 100 ms). @default 2000 */
  readonly maxReconnectDelayMs?: number;
  /** Receives one line per failure kind. @default console */
  readonly logger?: PreRankLogger;
}

export interface RedisStoreConfig {
  readonly featureSpec: FeatureSpec;
  readonly url: string;
  readonly keyPrefix: string;
  readonly crossKeys: Readonly<Record<string, readonly string[]>>;
  readonly resolveCross: ItemStore | null;
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxReconnectDelayMs: number;
  readonly logger: PreRankLogger;
}

const KNOWN = ['featureSpec', 'url', 'keyPrefix', 'crossKeys', 'resolveCross', 'commandTimeoutMs', 'connectTimeoutMs', 'maxReconnectDelayMs', 'logger'];

/** Validates the options once (TypeError ERR_AUTOFAS_OPTION naming the option) and fills the defaults. */
export function parseRedisStoreOptions(options: RedisItemStoreOptions): RedisStoreConfig {
  checkKnownOptions(options, KNOWN, 'redisItemStore');
  if (options?.featureSpec === undefined) throw optionError('featureSpec', 'is required (the parsed features.json)', undefined);
  const featureSpec = specOption(options.featureSpec);
  const url = given(options.url, 'redis://127.0.0.1:6379');
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) throw optionError('url', 'must be a redis:// or rediss:// URL', url);
  const keyPrefix = given(options.keyPrefix, DEFAULT_KEY_PREFIX);
  if (typeof keyPrefix !== 'string') throw optionError('keyPrefix', 'must be a string', keyPrefix);
  const resolveCross = options.resolveCross ?? null;
  if (options.resolveCross !== undefined && typeof resolveCross?.get !== 'function') throw optionError('resolveCross', 'must be an ItemStore ({ get(itemIds, featureNames, context) })', resolveCross);
  const logger = given<PreRankLogger>(options.logger, console);
  if (typeof logger?.warn !== 'function') throw optionError('logger', 'must have a warn(message, details) method', logger);
  return {
    featureSpec,
    url,
    keyPrefix,
    crossKeys: parseCrossKeys(options.crossKeys, featureSpec),
    resolveCross,
    commandTimeoutMs: intOption('commandTimeoutMs', options.commandTimeoutMs, 1000),
    connectTimeoutMs: intOption('connectTimeoutMs', options.connectTimeoutMs, 2000),
    maxReconnectDelayMs: intOption('maxReconnectDelayMs', options.maxReconnectDelayMs, 2000),
    logger,
  };
}

function specOption(value: unknown): FeatureSpec {
  try {
    return parseFeatureSpec(value, 'featureSpec');
  } catch (err) {
    throw optionError('featureSpec', `must be a valid feature spec (${(err as Error).message})`, value);
  }
}

function parseCrossKeys(value: unknown, spec: FeatureSpec): Readonly<Record<string, readonly string[]>> {
  const crossKeys = given(value, {});
  if (!isOptionsObject(crossKeys)) throw optionError('crossKeys', 'must be an object of cross feature -> context field names', crossKeys);
  for (const [name, fields] of Object.entries(crossKeys)) {
    const feature = spec.features.find((f) => f.name === name);
    if (feature?.side !== 'cross') throw optionError(`crossKeys.${name}`, 'must name a cross feature of featureSpec', name);
    if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => typeof f === 'string' && f.length > 0)) {
      throw optionError(`crossKeys.${name}`, 'must be a non-empty array of context field names', fields);
    }
  }
  return crossKeys as Readonly<Record<string, readonly string[]>>;
}
