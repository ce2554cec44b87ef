// Item-feature stores: an in-memory default and the LRU (entries, TTL) the plugin puts in front of any store.
import { LRUCache } from 'lru-cache';
import { autofasError } from '../schema/errors.js';
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
}

const UNKNOWN: ItemFeatures = Object.freeze({});

/** Reads through an LRU keyed by feature set and item id; reports hits and misses per call. */
export class CachedItemStore {
  readonly #store: ItemStore;
  readonly #options: ItemCacheOptions;
  /** One LRU per feature set (a model's store features), keyed by item id. */
  readonly #caches = new Map<string, LRUCache<string, ItemFeatures>>();

  constructor(store: ItemStore, options: ItemCacheOptions) {
    this.#store = store;
    this.#options = options;
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
    context: Readonly<Record<string, RawFeatureValue>>,
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
    if (missIds.length > 0) await this.#fill(missIds, missAt, featureNames, context, rows, cache);
    return { rows, hits: itemIds.length - missIds.length, misses: missIds.length };
  }

  /** Reads straight from the store (request-dependent cross features); throws ERR_AUTOFAS_STORE. */
  getUncached(
    itemIds: readonly string[],
    featureNames: readonly string[],
    context: Readonly<Record<string, RawFeatureValue>>,
  ): Promise<readonly (ItemFeatures | undefined)[]> {
    return this.#fetch(itemIds, featureNames, context);
  }

  async #fetch(
    ids: readonly string[],
    featureNames: readonly string[],
    context: Readonly<Record<string, RawFeatureValue>>,
  ): Promise<readonly (ItemFeatures | undefined)[]> {
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
    context: Readonly<Record<string, RawFeatureValue>>,
    rows: (ItemFeatures | undefined)[],
    cache: LRUCache<string, ItemFeatures> | null,
  ): Promise<void> {
    const fetched = await this.#fetch(ids, featureNames, context);
    for (let j = 0; j < ids.length; j++) {
      const row = fetched[j] ?? UNKNOWN;
      rows[at[j]] = row;
      cache?.set(ids[j], row);
    }
  }
}
