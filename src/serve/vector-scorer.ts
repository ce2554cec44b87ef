// The fallback scorer on the main thread: context embedding · cached item embeddings (a `vector` artifact or accessors).
import { LRUCache } from 'lru-cache';
import * as ort from 'onnxruntime-node';
import { autofasError } from '../schema/errors.js';
import type { Artifact } from '../schema/artifact.js';
import type { ModelCard } from '../schema/model-card.js';
import type { RawFeatureValue } from '../schema/teacher-log.js';
import { defaultItemFeeds, encodeContext, encodeItems, planFeatures } from './feature-plan.js';
import type { Feed, FeaturePlan } from './feature-plan.js';
import type { CachedItemStore } from './item-store.js';
import { fetchStoreRows } from './scoring.js';
import type { Engine } from './engine.js';
import type { BaselineEmbeddings } from './option-types.js';
import type { Candidate } from './types.js';

type Context = Readonly<Record<string, RawFeatureValue>>;

/** Scores candidates by a dot product of embeddings; item embeddings are cached per model (keyed by item id). */
export interface VectorScorer {
  /** Card of the baseline artifact (null for accessors). */
  readonly card: ModelCard | null;
  /** Scores the first `rows` candidates; reports cache hits and misses. */
  score(context: Context, candidates: readonly Candidate[], rows: number): Promise<{ scores: Float32Array; hits: number; misses: number }>;
  release(): Promise<void>;
}

const CONTEXT_CACHE_SIZE = 1024;
const EMPTY = new Float32Array(0);
/** Store reads of the vector scorer are not reported (its own cache events cover it). */
const NO_EVENTS = { emit: () => false } as unknown as Engine['events'];

/** Dot product of the context embedding with every item embedding (O(rows·d), small d: the fallback's only math). */
function dotAll(contextEmbedding: ArrayLike<number>, items: readonly (ArrayLike<number> | undefined)[], rows: number): Float32Array {
  const scores = new Float32Array(rows);
  const d = contextEmbedding.length;
  for (let i = 0; i < rows; i++) {
    const item = items[i];
    if (!item || item.length !== d) continue;
    let s = 0;
    for (let j = 0; j < d; j++) s += contextEmbedding[j] * item[j];
    scores[i] = s;
  }
  return scores;
}

abstract class CachedVectorScorer implements VectorScorer {
  abstract readonly card: ModelCard | null;
  protected readonly items: LRUCache<string, ArrayLike<number>>;

  constructor(cacheSize: number) {
    this.items = new LRUCache({ max: cacheSize });
  }

  /** Context embedding, plus item embeddings for the ids that missed the cache (in order). */
  protected abstract compute(context: Context, missed: readonly Candidate[]): Promise<{ context: ArrayLike<number>; items: readonly (ArrayLike<number> | undefined)[] }>;

  async score(context: Context, candidates: readonly Candidate[], rows: number): Promise<{ scores: Float32Array; hits: number; misses: number }> {
    const embeddings: (ArrayLike<number> | undefined)[] = new Array(rows);
    const missed: Candidate[] = [];
    const missAt: number[] = [];
    for (let i = 0; i < rows; i++) {
      const hit = this.items.get(candidates[i].item_id);
      if (hit) embeddings[i] = hit;
      else (missed.push(candidates[i]), missAt.push(i));
    }
    const computed = await this.compute(context, missed);
    for (let j = 0; j < missed.length; j++) {
      const embedding = computed.items[j];
      embeddings[missAt[j]] = embedding;
      if (embedding) this.items.set(missed[j].item_id, embedding);
    }
    return { scores: dotAll(computed.context, embeddings, rows), hits: rows - missed.length, misses: missed.length };
  }

  async release(): Promise<void> {
    this.items.clear();
  }
}

/** Runs a `vector` artifact's two towers on the main thread, only for the items that missed the cache. */
export class ArtifactVectorScorer extends CachedVectorScorer {
  readonly card: ModelCard;
  readonly #plan: FeaturePlan;
  readonly #session: ort.InferenceSession;
  readonly #store: CachedItemStore;
  readonly #contexts = new LRUCache<string, Float32Array>({ max: CONTEXT_CACHE_SIZE });

  private constructor(card: ModelCard, session: ort.InferenceSession, store: CachedItemStore, cacheSize: number) {
    super(cacheSize);
    this.card = card;
    this.#plan = planFeatures(card);
    this.#session = session;
    this.#store = store;
  }

  static async open(artifact: Artifact, store: CachedItemStore, cacheSize: number): Promise<ArtifactVectorScorer> {
    const { card } = artifact;
    if (!card.outputs.contextEmbedding || !card.outputs.itemEmbedding) {
      throw autofasError('ERR_AUTOFAS_MODEL_SCHEMA', `${artifact.dir}: a baseline needs outputs.contextEmbedding and outputs.itemEmbedding`, { dir: artifact.dir });
    }
    const session = await ort.InferenceSession.create(artifact.modelBytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    return new ArtifactVectorScorer(card, session, store, cacheSize);
  }

  protected async compute(context: Context, missed: readonly Candidate[]): Promise<{ context: ArrayLike<number>; items: readonly (ArrayLike<number> | undefined)[] }> {
    const contextFeeds = encodeContext(this.#plan, context);
    const key = contextFeeds.map((f) => f.data.join(',')).join('|');
    const cachedContext = this.#contexts.get(key);
    if (cachedContext && missed.length === 0) return { context: cachedContext, items: [] };
    const itemFeeds = missed.length > 0 ? await this.#missedFeeds(context, missed) : defaultItemFeeds(this.#plan, 1);
    const { contextEmbedding, items } = await this.#run([...contextFeeds, ...itemFeeds], missed.length);
    this.#contexts.set(key, contextEmbedding);
    return { context: contextEmbedding, items };
  }

  async #missedFeeds(context: Context, missed: readonly Candidate[]): Promise<Feed[]> {
    const store = await fetchStoreRows({ store: this.#store, events: NO_EVENTS }, this.#plan, missed, missed.length, context);
    return encodeItems(this.#plan, missed, missed.length, store);
  }

  async #run(feeds: readonly Feed[], rows: number): Promise<{ contextEmbedding: Float32Array; items: Float32Array[] }> {
    const tensors: Record<string, ort.Tensor> = {};
    for (const feed of feeds) tensors[feed.name] = new ort.Tensor(feed.dtype, feed.data, feed.dims);
    const { contextEmbedding: ctxName, itemEmbedding: itemName } = this.card.outputs as Required<ModelCard['outputs']>;
    const out = await this.#session.run(tensors, [ctxName, itemName]);
    const contextEmbedding = Float32Array.from(out[ctxName].data as Float32Array);
    const d = contextEmbedding.length;
    const itemData = rows > 0 ? (out[itemName].data as Float32Array) : EMPTY;
    if (itemData.length !== rows * d) throw autofasError('ERR_AUTOFAS_SCORER', `baseline item embeddings have ${itemData.length} values for ${rows}x${d}`);
    const items = Array.from({ length: rows }, (_, i) => itemData.slice(i * d, (i + 1) * d));
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
