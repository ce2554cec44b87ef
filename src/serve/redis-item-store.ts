// `redisItemStore`: the plugin's ItemStore on Redis (ioredis, an optional peer): one pipelined round trip per request.
import { EventEmitter } from 'node:events';
import type { Redis, RedisOptions } from 'ioredis';
import { autofasError } from '../schema/errors.js';
import type { Feature, FeatureSpec } from '../schema/feature-spec.js';
import type { RawFeatureValue } from '../schema/teacher-log.js';
import type { ItemFeatures, ItemStore, PreRankLogger } from './option-types.js';
import { connectRedis } from './redis-client.js';
import { decodeStoreColumn, redisKeys } from './redis-layout.js';
import { parseRedisStoreOptions } from './redis-store-options.js';
import type { RedisItemStoreOptions, RedisStoreConfig } from './redis-store-options.js';

type Context = Readonly<Record<string, RawFeatureValue>>;
type Row = Record<string, RawFeatureValue>;

/** Why a fetch failed: no connection, no answer in time, an error reply (e.g. WRONGTYPE), a value of the wrong type. */
export type RedisFailureKind = 'unavailable' | 'timeout' | 'reply' | 'value';

export interface RedisStoreStats {
  /** `get` calls. */
  readonly fetches: number;
  /** Pipelines sent: calls made in the same tick share one. */
  readonly roundTrips: number;
  /** HMGET commands sent (one per feature and get call). */
  readonly commands: number;
  readonly failures: Readonly<Record<RedisFailureKind, number>>;
}

export interface RedisStoreEventMap {
  failure: [info: { kind: RedisFailureKind; message: string }];
  /** The connection became ready (at start and after each reconnection). */
  ready: [];
}

/** The Redis-backed store: an ItemStore plus counters, events and `close()`. */
export interface RedisItemStore extends ItemStore {
  readonly events: EventEmitter<RedisStoreEventMap>;
  stats(): RedisStoreStats;
  /** True while the connection is ready. */
  ready(): boolean;
  close(): Promise<void>;
}

interface Read {
  readonly feature: Feature;
  readonly key: string;
}

interface PendingGet {
  readonly reads: readonly Read[];
  readonly ids: readonly string[];
  resolve(rows: (ItemFeatures | undefined)[]): void;
  reject(err: unknown): void;
}

/**
 * A store over a Redis server (layout and encoding: `redis-layout.ts`). Connects in the background: a server that is
 * down at start, or goes down later, makes `get` reject at once (ERR_AUTOFAS_STORE, the plugin falls back) until
 * ioredis has reconnected by itself. Requires the optional peer `ioredis`.
 */
export async function redisItemStore(options: RedisItemStoreOptions): Promise<RedisItemStore> {
  const config = parseRedisStoreOptions(options);
  const client = await connectRedis(config.url, clientOptions(config));
  return new RedisStore(client, config);
}

/** ioredis options of the serving client: no offline queue (fail fast while down), bounded commands, automatic reconnection. */
function clientOptions(config: RedisStoreConfig): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.connectTimeoutMs,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), config.maxReconnectDelayMs),
  };
}

class RedisStore implements RedisItemStore {
  readonly events = new EventEmitter<RedisStoreEventMap>();
  readonly #client: Redis;
  readonly #config: RedisStoreConfig;
  readonly #features: ReadonlyMap<string, Feature>;
  #pending: PendingGet[] = [];
  #counts = { fetches: 0, roundTrips: 0, commands: 0 };
  readonly #failures: Record<RedisFailureKind, number> = { unavailable: 0, timeout: 0, reply: 0, value: 0 };
  readonly #logged = new Set<string>();

  constructor(client: Redis, config: RedisStoreConfig) {
    this.#client = client;
    this.#config = config;
    this.#features = new Map(config.featureSpec.features.map((f) => [f.name, f]));
    client.on('error', (err: Error) => this.#logOnce('connection', `Redis store: ${err.message}`));
    client.on('ready', () => this.events.emit('ready'));
  }

  ready(): boolean {
    return this.#client.status === 'ready';
  }

  stats(): RedisStoreStats {
    return { ...this.#counts, failures: { ...this.#failures } };
  }

  async close(): Promise<void> {
    this.#client.disconnect();
  }

  async get(itemIds: readonly string[], featureNames: readonly string[], context: Context): Promise<readonly (ItemFeatures | undefined)[]> {
    this.#counts.fetches++;
    if (itemIds.length === 0) return []; // HMGET needs at least one field
    const resolved: string[] = [];
    const reads: Read[] = [];
    for (const name of featureNames) {
      const feature = this.#features.get(name);
      if (!feature) throw autofasError('ERR_AUTOFAS_STORE', `feature ${name} is not in the Redis store's featureSpec`, { feature: name });
      if (feature.side !== 'cross') reads.push({ feature, key: redisKeys.item(this.#config.keyPrefix, name) });
      else if (this.#config.crossKeys[name]) reads.push({ feature, key: this.#crossKey(name, context) });
      else resolved.push(name);
    }
    const [fromRedis, fromResolver] = await Promise.all([
      reads.length > 0 ? this.#enqueue(reads, itemIds) : null,
      resolved.length > 0 ? this.#resolveCross(itemIds, resolved, context) : null,
    ]);
    return merge(itemIds.length, fromRedis, fromResolver);
  }

  #crossKey(name: string, context: Context): string {
    const fields = this.#config.crossKeys[name];
    return redisKeys.cross(this.#config.keyPrefix, name, fields.map((f) => String(context[f] ?? '')).join('|'));
  }

  #resolveCross(ids: readonly string[], names: readonly string[], context: Context): Promise<readonly (ItemFeatures | undefined)[]> {
    const resolver = this.#config.resolveCross;
    if (!resolver) {
      return Promise.reject(autofasError('ERR_AUTOFAS_STORE', `cross feature ${names[0]} has no \`crossKeys\` entry and there is no \`resolveCross\``, { feature: names[0] }));
    }
    return resolver.get(ids, names, context);
  }

  /** Queues the reads; every get of this tick goes out in one pipeline. */
  #enqueue(reads: readonly Read[], ids: readonly string[]): Promise<(ItemFeatures | undefined)[]> {
    if (this.#client.status !== 'ready') return Promise.reject(this.#failure('unavailable', `Redis is not connected (${this.#client.status})`));
    return new Promise((resolve, reject) => {
      if (this.#pending.length === 0) process.nextTick(() => void this.#flush());
      this.#pending.push({ reads, ids, resolve, reject });
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    const pipeline = this.#client.pipeline();
    for (const get of batch) for (const read of get.reads) pipeline.hmgetBuffer(read.key, ...get.ids);
    this.#counts.roundTrips++;
    this.#counts.commands += pipeline.length;
    let replies: [Error | null, unknown][];
    try {
      replies = (await pipeline.exec()) ?? [];
    } catch (err) {
      const failure = this.#classify(err);
      for (const get of batch) get.reject(failure);
      return;
    }
    let at = 0;
    for (const get of batch) {
      const answers = replies.slice(at, (at += get.reads.length));
      try {
        get.resolve(this.#decode(get, answers));
      } catch (err) {
        get.reject(err);
      }
    }
  }

  #decode(get: PendingGet, answers: readonly [Error | null, unknown][]): (ItemFeatures | undefined)[] {
    const rows: (Row | undefined)[] = new Array(get.ids.length).fill(undefined);
    get.reads.forEach((read, j) => {
      const [err, reply] = answers[j] ?? [new Error('no reply'), null];
      if (err) throw this.#classify(err);
      try {
        decodeStoreColumn(read.feature, read.key, get.ids, reply as (Buffer | null)[], rows);
      } catch (decodeErr) {
        throw this.#failure('value', (decodeErr as Error).message);
      }
    });
    return rows;
  }

  #classify(err: unknown): Error {
    const message = (err as Error)?.message ?? String(err);
    if (/timed out/i.test(message)) return this.#failure('timeout', message);
    if (/writeable|connection|closed|ECONN|retries/i.test(message)) return this.#failure('unavailable', message);
    return this.#failure('reply', message);
  }

  #failure(kind: RedisFailureKind, message: string): Error {
    this.#failures[kind]++;
    this.events.emit('failure', { kind, message });
    this.#logOnce(kind, `Redis store ${kind}: ${message}`);
    return autofasError('ERR_AUTOFAS_STORE', message, { kind });
  }

  #logOnce(kind: string, message: string): void {
    if (this.#logged.has(kind)) return;
    this.#logged.add(kind);
    (this.#config.logger as PreRankLogger).warn(message, { code: 'ERR_AUTOFAS_STORE', kind });
  }
}

/** Rows of the Redis reads and of the cross resolver, joined per item (undefined when neither knows the item). */
function merge(n: number, a: readonly (ItemFeatures | undefined)[] | null, b: readonly (ItemFeatures | undefined)[] | null): readonly (ItemFeatures | undefined)[] {
  if (!b) return a ?? new Array(n).fill(undefined);
  if (!a) return b;
  return Array.from({ length: n }, (_, i) => (a[i] && b[i] ? { ...a[i], ...b[i] } : (a[i] ?? b[i])));
}
