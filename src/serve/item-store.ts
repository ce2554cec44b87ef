// Item-feature stores: an in-memory default, and the guard the plugin puts in front of any store: the request's
// deadline, the store's own breaker and a shape check. (Encoded rows are cached per model, see feature-plan.ts.)
import type CircuitBreaker from 'opossum';
import { autofasError } from '../schema/errors.js';
import type { RawFeatureValue } from '../schema/teacher-log.js';
import { createBreaker } from './breaker.js';
import { withDeadline } from './deadline.js';
import type { BreakerOptions, BreakerState } from './breaker.js';
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

/** @internal */
export interface StoreGuardOptions {
  /** The store's breaker: a hung or failing store fails fast once it opens. */
  readonly breaker: BreakerOptions;
  readonly onBreaker: (state: BreakerState) => void;
}

/**
 * @internal
 * What one request has spent of the store: the time it has left, and whether the store already failed it (then a
 * fallback that needs the store fails at once instead of waiting on it a second time).
 */
export interface StoreScope {
  remainingMs(): number;
  failed: boolean;
}

type Context = Readonly<Record<string, RawFeatureValue>>;
type Rows = readonly (ItemFeatures | undefined)[];

/** @internal Every store call of the plugin: through the store breaker, within the request's time, checked for shape. */
export class GuardedItemStore {
  readonly #store: ItemStore;
  readonly #breaker: CircuitBreaker<[readonly string[], readonly string[], Context], Rows>;

  constructor(store: ItemStore, options: StoreGuardOptions) {
    this.#store = store;
    const get = (ids: readonly string[], names: readonly string[], context: Context) => this.#checkedGet(ids, names, context);
    this.#breaker = createBreaker('the item store', get, options.breaker, options.onBreaker, 'ERR_AUTOFAS_STORE');
  }

  /** The store breaker (for its state). */
  get breaker(): CircuitBreaker<never, unknown> {
    return this.#breaker as unknown as CircuitBreaker<never, unknown>;
  }

  shutdown(): void {
    this.#breaker.shutdown();
  }

  /**
   * Rows of `ids` (one per id, in order); rejects with ERR_AUTOFAS_STORE (failed, out of shape or out of time),
   * ERR_AUTOFAS_STORE_BREAKER_OPEN, or at once when the store already failed this request. A failure marks the scope.
   */
  async get(ids: readonly string[], featureNames: readonly string[], context: Context, scope: StoreScope): Promise<Rows> {
    if (scope.failed) throw autofasError('ERR_AUTOFAS_STORE', 'the item store already failed this request; not asked again');
    try {
      const left = scope.remainingMs();
      if (left <= 0) throw autofasError('ERR_AUTOFAS_STORE', 'the request deadline passed before the store read');
      return await withDeadline(this.#breaker.fire(ids, featureNames, context), left, 'ERR_AUTOFAS_STORE', 'the item store');
    } catch (err) {
      scope.failed = true;
      if ((err as { code?: unknown }).code === 'EOPENBREAKER') throw autofasError('ERR_AUTOFAS_STORE_BREAKER_OPEN', 'the item-store breaker is open', {}, err);
      throw err;
    }
  }

  async #checkedGet(ids: readonly string[], featureNames: readonly string[], context: Context): Promise<Rows> {
    let fetched: Rows;
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
}
