// Item-feature stores: an in-memory default, and what the plugin puts in front of any store: an LRU (entries, TTL),
// the request's deadline and the store's own breaker.
import { LRUCache } from 'lru-cache';
import type CircuitBreaker from 'opossum';
import { autofasError } from '../schema/errors.js';
import { createBreaker } from './breaker.js';
import type { BreakerOptions, BreakerState } from './breaker.js';
import type { RawFeatureValue } from '../schema/teacher-log.js';
import type { ItemFeatures, ItemStore } from './option-types.js';

/** An `ItemStore` over a map (or object) of item id -> features. */
export function memoryItemStore(data: ReadonlyMap<string, ItemFeatures> | Readonly<Record<string, ItemFeatures>> = new Map()): ItemStore {
  const map: ReadonlyMap<string, ItemFeatures> = data instanceof Map ? data : new Map(Object.entries(data));
  return {
    async get(itemIds) {
      return itemIds.map((id) => map.get(id));
    },
  };
}

export interface ItemCacheOptions {
  readonly max: number;
  readonly ttlMs: number;
  /** Clock for TTLs (tests pass a fake one). @default performance */
  readonly perf?: { now(): number };
  /** The store's breaker: a hung or failing store fails fast once it opens. */
  readonly breaker: BreakerOptions;
  readonly onBreaker: (state: BreakerState) => void;
}

/**
 * What one request has spent of the store: the time it has left, and whether the store already failed it (then a
 * fallback that needs the store fails at once instead of waiting on it a second time).
 */
export interface StoreScope {
  remainingMs(): number;
  failed: boolean;
}

type Context = Readonly<Record<string, RawFeatureValue>>;

const UNKNOWN: ItemFeatures = Object.freeze({});

/** Reads through an LRU keyed by feature set and item id; reports hits and misses per call. */
export class CachedItemStore {
  readonly #store: ItemStore;
  readonly #options: ItemCacheOptions;
  /** One LRU per feature set (a model's store features), keyed by item id. */
  readonly #caches = new Map<string, LRUCache<string, ItemFeatures>>();
  readonly #breaker: CircuitBreaker<[readonly string[], readonly string[], Context, number], readonly (ItemFeatures | undefined)[]>;

  constructor(store: ItemStore, options: ItemCacheOptions) {
    this.#store = store;
    this.#options = options;
    const get = (ids: readonly string[], names: readonly string[], context: Context) => this.#checkedGet(ids, names, context);
    this.#breaker = createBreaker('the item store', get, options.breaker, options.onBreaker, 'ERR_AUTOFAS_STORE');
  }

  /** The store breaker's state. */
  get breaker(): CircuitBreaker<never, unknown> {
    return this.#breaker as unknown as CircuitBreaker<never, unknown>;
  }

  shutdown(): void {
    this.#breaker.shutdown();
  }

  #cacheFor(setKey: string): LRUCache<string, ItemFeatures> | null {
    const { max, ttlMs, perf } = this.#options;
    if (max <= 0) return null;
    let cache = this.#caches.get(setKey);
    if (!cache) {
      cache = new LRUCache<string, ItemFeatures>({ max, ...(ttlMs > 0 ? { ttl: ttlMs } : {}), ...(perf ? { perf, ttlResolution: 0 } : {}) });
      this.#caches.set(setKey, cache);
    }
    return cache;
  }

  /** Features of the first `rows` ids; throws ERR_AUTOFAS_STORE when the store fails or answers out of shape. */
  async get(
    itemIds: readonly string[],
    featureNames: readonly string[],
    context: Context,
    scope: StoreScope,
  ): Promise<{ rows: (ItemFeatures | undefined)[]; hits: number; misses: number }> {
    const setKey = featureNames.join('\u0001');
    const cache = this.#cacheFor(setKey);
    const rows: (ItemFeatures | undefined)[] = new Array(itemIds.length);
    const missIds: string[] = [];
    const missAt: number[] = [];
    for (let i = 0; i < itemIds.length; i++) {
      const hit = cache?.get(itemIds[i]);
      if (hit) rows[i] = hit;
      else (missIds.push(itemIds[i]), missAt.push(i));
    }
    if (missIds.length > 0) await this.#fill(missIds, missAt, featureNames, context, scope, rows, cache);
    return { rows, hits: itemIds.length - missIds.length, misses: missIds.length };
  }

  /** Reads straight from the store (request-dependent cross features); throws ERR_AUTOFAS_STORE. */
  getUncached(itemIds: readonly string[], featureNames: readonly string[], context: Context, scope: StoreScope): Promise<readonly (ItemFeatures | undefined)[]> {
    return this.#fetch(itemIds, featureNames, context, scope);
  }

  /** One store call through the breaker, bounded by the request's time left; a failure marks the scope. */
  async #fetch(ids: readonly string[], featureNames: readonly string[], context: Context, scope: StoreScope): Promise<readonly (ItemFeatures | undefined)[]> {
    if (scope.failed) throw autofasError('ERR_AUTOFAS_STORE', 'the item store already failed this request; not asked again');
    try {
      return await this.#breaker.fire(ids, featureNames, context, scope.remainingMs());
    } catch (err) {
      scope.failed = true;
      if ((err as { code?: unknown }).code === 'EOPENBREAKER') throw autofasError('ERR_AUTOFAS_STORE_BREAKER_OPEN', 'the item-store breaker is open', {}, err);
      throw err;
    }
  }

  async #checkedGet(ids: readonly string[], featureNames: readonly string[], context: Context): Promise<readonly (ItemFeatures | undefined)[]> {
    let fetched: readonly (ItemFeatures | undefined)[];
    try {
      fetched = await this.#store.get(ids, featureNames, context);
    } catch (err) {
      throw autofasError('ERR_AUTOFAS_STORE', `itemStore.get failed: ${(err as Error)?.message ?? String(err)}`, {}, err);
    }
    if (!Array.isArray(fetched) || fetched.length !== ids.length) {
      throw autofasError('ERR_AUTOFAS_STORE', `itemStore.get answered ${Array.isArray(fetched) ? fetched.length : 'a non-array'} rows for ${ids.length} ids`);
    }
    return fetched;
  }

  async #fill(
    ids: string[],
    at: number[],
    featureNames: readonly string[],
    context: Context,
    scope: StoreScope,
    rows: (ItemFeatures | undefined)[],
    cache: LRUCache<string, ItemFeatures> | null,
  ): Promise<void> {
    const fetched = await this.#fetch(ids, featureNames, context, scope);
    for (let j = 0; j < ids.length; j++) {
      const row = fetched[j] ?? UNKNOWN;
      rows[at[j]] = row;
      cache?.set(ids[j], row);
    }
  }
}
