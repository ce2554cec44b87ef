// The fallback scorer on the main thread: context embedding · cached item embeddings (a `vector` artifact or accessors).
import { LRUCache } from 'lru-cache';
import { RowSlab } from './row-slab.js';
import * as ort from 'onnxruntime-node';
import { autofasError } from '../schema/errors.js';
import { openCheckedSession } from '../schema/artifact.js';
import type { Artifact } from '../schema/artifact.js';
import type { ModelCard } from '../schema/model-card.js';
import type { RawFeatureValue } from '../schema/teacher-log.js';
import { FeaturePlan } from './feature-plan.js';
import { feedTensors } from './feed-tensors.js';
import type { Encoding } from './feature-plan.js';
import type { GuardedItemStore, StoreScope } from './item-store.js';
import { encodeRequest } from './scoring.js';
import type { BaselineEmbeddings } from './option-types.js';
import type { Candidate } from './types.js';

type Context = Readonly<Record<string, RawFeatureValue>>;

/** Scores candidates by a dot product of embeddings; item embeddings are cached per model (keyed by item id). */
export interface VectorScorer {
  /** Card of the baseline artifact (null for accessors). */
  readonly card: ModelCard | null;
  /** Scores the first `rows` candidates (item features of cache misses read within `store`); reports cache hits and misses. */
  score(context: Context, candidates: readonly Candidate[], rows: number, store: StoreScope): Promise<{ scores: Float32Array; hits: number; misses: number }>;
  release(): Promise<void>;
}

const CONTEXT_CACHE_SIZE = 1024;
const EMPTY = new Float32Array(0);

/** Dot product of the context embedding with one embedding (0 on a width mismatch). */
function dotOne(context: ArrayLike<number>, item: ArrayLike<number> | undefined): number {
  if (!item || item.length !== context.length) return 0;
  let s = 0;
  for (let j = 0; j < context.length; j++) s += context[j] * item[j];
  return s;
}

abstract class CachedVectorScorer implements VectorScorer {
  abstract readonly card: ModelCard | null;
  protected readonly items: RowSlab;

  constructor(cacheSize: number) {
    this.items = new RowSlab({ max: cacheSize });
  }

  /** The context embedding if it is already known (no await), else null. */
  protected abstract knownContext(context: Context): ArrayLike<number> | null;

  /** Context embedding, plus item embeddings for the ids that missed the cache (in order). */
  protected abstract compute(context: Context, missed: readonly Candidate[], store: StoreScope): Promise<{ context: ArrayLike<number>; items: readonly (ArrayLike<number> | undefined)[] }>;

  async score(context: Context, candidates: readonly Candidate[], rows: number, store: StoreScope): Promise<{ scores: Float32Array; hits: number; misses: number }> {
    const slots = new Int32Array(rows);
    let misses = 0;
    for (let i = 0; i < rows; i++) if ((slots[i] = this.items.slot(candidates[i].item_id)) < 0) misses++;
    const known = misses === 0 ? this.knownContext(context) : null;
    // Warm path: no await between reading the slots and using them, so no other request can evict them meanwhile.
    if (known) return { scores: this.items.dot(known, slots, rows), hits: rows, misses: 0 };
    return this.#scoreWithMisses(context, candidates, rows, slots, misses, store);
  }

  /** Cold path: hits are scored only after the await, so their slots are looked up again (an evicted one is recomputed). */
  async #scoreWithMisses(
    context: Context,
    candidates: readonly Candidate[],
    rows: number,
    slots: Int32Array,
    misses: number,
    store: StoreScope,
  ): Promise<{ scores: Float32Array; hits: number; misses: number }> {
    const missed: Candidate[] = [];
    for (let i = 0; i < rows; i++) if (slots[i] < 0) missed.push(candidates[i]);
    const computed = await this.compute(context, missed, store);
    const fresh = new Map<string, ArrayLike<number> | undefined>();
    missed.forEach((c, j) => fresh.set(c.item_id, computed.items[j]));
    const scores = new Float32Array(rows);
    const lost: number[] = [];
    for (let i = 0; i < rows; i++) {
      const id = candidates[i].item_id;
      if (fresh.has(id)) scores[i] = dotOne(computed.context, fresh.get(id));
      else if ((slots[i] = this.items.slot(id)) < 0) lost.push(i);
    }
    this.items.dot(computed.context, slots.map((s, i) => (fresh.has(candidates[i].item_id) ? -1 : s)), rows, scores);
    if (lost.length > 0) await this.#rescore(context, candidates, lost, scores, store);
    for (const [id, embedding] of fresh) if (embedding) this.items.put(id, embedding);
    return { scores, hits: rows - misses, misses };
  }

  /** Items evicted by a concurrent request while this one awaited: computed again (rare). */
  async #rescore(context: Context, candidates: readonly Candidate[], lost: number[], scores: Float32Array, store: StoreScope): Promise<void> {
    const again = await this.compute(context, lost.map((i) => candidates[i]), store);
    lost.forEach((i, j) => (scores[i] = dotOne(again.context, again.items[j])));
  }

  async release(): Promise<void> {
    this.items.clear();
  }
}

/** Cache key of an encoded context: the words of the buffer's context section. */
function contextKey(plan: FeaturePlan, encoding: Encoding): string {
  return encoding.batch.i32.subarray(0, plan.layout.contextWords).join(',');
}

/** Runs a `vector` artifact's two towers on the main thread, only for the items that missed the cache. */
export class ArtifactVectorScorer extends CachedVectorScorer {
  readonly card: ModelCard;
  readonly #plan: FeaturePlan;
  readonly #session: ort.InferenceSession;
  readonly #store: GuardedItemStore;
  readonly #contexts = new LRUCache<string, Float32Array>({ max: CONTEXT_CACHE_SIZE });

  private constructor(card: ModelCard, session: ort.InferenceSession, store: GuardedItemStore, cacheSize: number, storeFromCandidates: boolean) {
    super(cacheSize);
    this.card = card;
    // No encoded-row cache: the item embeddings computed from those rows are what this scorer caches.
    this.#plan = new FeaturePlan(card, { storeFromCandidates, rowCache: { max: 0 } });
    this.#session = session;
    this.#store = store;
  }

  static async open(artifact: Artifact, store: GuardedItemStore, cacheSize: number, storeFromCandidates: boolean): Promise<ArtifactVectorScorer> {
    const { card } = artifact;
    if (!card.outputs.contextEmbedding || !card.outputs.itemEmbedding) {
      throw autofasError('ERR_AUTOFAS_MODEL_SCHEMA', `${artifact.dir}: a baseline needs outputs.contextEmbedding and outputs.itemEmbedding`, { dir: artifact.dir });
    }
    const session = await openCheckedSession(artifact.modelBytes, card, artifact.dir, { dir: artifact.dir });
    return new ArtifactVectorScorer(card, session, store, cacheSize, storeFromCandidates);
  }

  protected knownContext(context: Context): Float32Array | null {
    const encoding = this.#plan.newEncoding(0);
    this.#plan.encodeContext(encoding, context);
    return this.#contexts.get(contextKey(this.#plan, encoding)) ?? null;
  }

  protected async compute(context: Context, missed: readonly Candidate[], store: StoreScope): Promise<{ context: ArrayLike<number>; items: readonly (ArrayLike<number> | undefined)[] }> {
    const encoding = missed.length > 0 ? await this.#encodeMissed(context, missed, store) : this.#contextOnly(context);
    const key = contextKey(this.#plan, encoding);
    const cachedContext = this.#contexts.get(key);
    if (cachedContext && missed.length === 0) return { context: cachedContext, items: [] };
    const { contextEmbedding, items } = await this.#run(encoding, missed.length);
    this.#contexts.set(key, contextEmbedding);
    return { context: contextEmbedding, items };
  }

  /** The context and one default item row (a run for the context embedding only). */
  #contextOnly(context: Context): Encoding {
    const encoding = this.#plan.newEncoding(1);
    this.#plan.encodeContext(encoding, context);
    this.#plan.encodeDefaults(encoding);
    return encoding;
  }

  #encodeMissed(context: Context, missed: readonly Candidate[], scope: StoreScope): Promise<Encoding> {
    // Not reported (the scorer's own cache events cover it).
    const request = { ids: missed.map((c) => c.item_id), candidates: missed, rows: missed.length, context };
    return encodeRequest(this.#store, this.#plan, request, scope);
  }

  async #run(encoding: Encoding, rows: number): Promise<{ contextEmbedding: Float32Array; items: Float32Array[] }> {
    const tensors = feedTensors(this.#plan.layout, encoding.batch.buffer, encoding.batch.rows);
    const { contextEmbedding: ctxName, itemEmbedding: itemName } = this.card.outputs as Required<ModelCard['outputs']>;
    const out = await this.#session.run(tensors, [ctxName, itemName]);
    const contextEmbedding = Float32Array.from(out[ctxName].data as Float32Array);
    const d = contextEmbedding.length;
    const itemData = rows > 0 ? (out[itemName].data as Float32Array) : EMPTY;
    if (itemData.length !== rows * d) throw autofasError('ERR_AUTOFAS_SCORER', `baseline item embeddings have ${itemData.length} values for ${rows}x${d}`);
    const items = Array.from({ length: rows }, (_, i) => itemData.subarray(i * d, (i + 1) * d));
    return { contextEmbedding, items };
  }

  override async release(): Promise<void> {
    await super.release();
    await this.#session.release();
  }
}

/** Uses the caller's precomputed user and item embeddings. */
export class AccessorVectorScorer extends CachedVectorScorer {
  readonly card = null;
  readonly #accessors: BaselineEmbeddings;

  constructor(accessors: BaselineEmbeddings, cacheSize: number) {
    super(cacheSize);
    this.#accessors = accessors;
  }

  protected knownContext(): null {
    return null; // the caller's accessor decides (it may be async)
  }

  protected async compute(context: Context, missed: readonly Candidate[]): Promise<{ context: ArrayLike<number>; items: readonly (ArrayLike<number> | undefined)[] }> {
    const [contextEmbedding, items] = await Promise.all([
      this.#accessors.getContextEmbedding(context),
      missed.length > 0 ? this.#accessors.getItemEmbeddings(missed.map((c) => c.item_id)) : [],
    ]);
    if (!contextEmbedding || typeof contextEmbedding.length !== 'number') throw autofasError('ERR_AUTOFAS_SCORER', 'getContextEmbedding gave no embedding');
    if (!Array.isArray(items) || items.length !== missed.length) throw autofasError('ERR_AUTOFAS_SCORER', 'getItemEmbeddings answered out of shape');
    return { context: contextEmbedding, items };
  }
}
