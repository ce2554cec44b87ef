// Compiles a model card once into its feed layout and row encoders; encodes one request into one buffer of feeds.
import { autofasError } from '../schema/errors.js';
import { compileRowEncoder, inputLayout } from '../schema/encoder.js';
import type { EncodeProblem, RowEncoder } from '../schema/encoder.js';
import type { Feature } from '../schema/feature-spec.js';
import type { ModelCard } from '../schema/model-card.js';
import type { RawFeatureValue } from '../schema/teacher-log.js';
import type { ItemFeatures } from './option-types.js';
import { compileRowCopy } from './row-copy.js';
import type { RowCopies } from './row-copy.js';
import { FeedBatch, feedOffset } from './feed-layout.js';
import type { FeedLayout, FeedSpec } from './feed-layout.js';
import type { RowGather } from './row-gather.js';
import { RowSlab } from './row-slab.js';
import type { RowSlabOptions } from './row-slab.js';
import type { Candidate } from './types.js';

/** Features encoded together from one source, with their compiled encoder. */
interface Group {
  readonly features: readonly Feature[];
  readonly feeds: readonly FeedSpec[];
  readonly encode: RowEncoder;
  /** Scratch: each feature's first word in the current buffer. */
  readonly bases: Int32Array;
  /** Index of the group's first feature in `FeaturePlan.featureNames` (missing counts). */
  readonly first: number;
}

export interface PlanOptions {
  /** No item store: `store` features are read from the candidates like request features. */
  readonly storeFromCandidates: boolean;
  /** Cache of encoded item-store rows (`max` 0 = off). */
  readonly rowCache: RowSlabOptions;
}

type Context = Readonly<Record<string, RawFeatureValue>>;
type StoreRows = readonly (ItemFeatures | undefined)[];

/** What a request with `rows` candidates is encoded into, and missing values per feature. */
export interface Encoding {
  readonly batch: FeedBatch;
  readonly missing: Uint32Array;
}

/** A model's inputs grouped by source, compiled once per loaded model. */
export class FeaturePlan {
  readonly modelId: string;
  readonly layout: FeedLayout;
  /** Every feature of the model, in missing-count order. */
  readonly featureNames: readonly string[];
  /** Item-side store features (cached as encoded rows), and cross store features (read per request). */
  readonly storeFeatureNames: readonly string[];
  readonly storeCrossNames: readonly string[];
  readonly #context: Group;
  readonly #request: Group;
  readonly #stored: Group;
  readonly #cross: Group;
  readonly #rowCache: RowSlab | null;
  /** What a worker needs to copy cached rows itself (the cache is shared), or null (they are copied here). */
  readonly rowGather: RowGather | null;
  /** Moves cached rows to and from the stored features' columns; `#slots` is their scratch (each row's cache slot). */
  readonly #copyRows: RowCopies;
  #slots = new Int32Array(0);

  /**
   * `previous`: the plan of the model this one replaces (a reload of the same pre-ranker, so the same options). Where a
   * group's features are the same, defined alike, its compiled encoder function is kept (its code already warm); where
   * the item-side store features are, so is the cache of their encoded rows, whose rows then stay valid.
   */
  constructor(card: ModelCard, options: PlanOptions, previous?: FeaturePlan) {
    this.modelId = card.modelId;
    const bySource = { context: [] as Feature[], request: [] as Feature[], stored: [] as Feature[], cross: [] as Feature[] };
    for (const { feature } of card.inputs) bySource[sourceOf(feature, options.storeFromCandidates)].push(feature);
    const names = new Map(card.inputs.map((i) => [i.feature, i.input]));
    const feeds: FeedSpec[] = [];
    const group = (features: Feature[], perCandidate: boolean, first: number, before: Group | undefined, field?: string): Group => {
      const own = features.map((feature) => {
        const { dtype, width } = inputLayout(feature);
        const offset = feeds.filter((f) => f.perCandidate === perCandidate).reduce((sum, f) => sum + f.width, 0);
        const feed = { name: names.get(feature) as string, dtype, width, perCandidate, offset };
        feeds.push(feed);
        return feed;
      });
      const encode = before && sameFeatures(before.features, features) ? before.encode : compileRowEncoder(features, field);
      return { features, feeds: own, encode, bases: new Int32Array(features.length), first };
    };
    const { context, request, stored, cross } = bySource;
    const was = previous ? { context: previous.#context, request: previous.#request, stored: previous.#stored, cross: previous.#cross } : undefined;
    this.#context = group(context, false, 0, was?.context);
    this.#request = group(request, true, context.length, was?.request, 'features');
    this.#stored = group(stored, true, context.length + request.length, was?.stored);
    this.#cross = group(cross, true, context.length + request.length + stored.length, was?.cross);
    this.layout = { feeds, contextWords: sumWidths(this.#context.feeds), rowWords: sumWidths(feeds) - sumWidths(this.#context.feeds) };
    this.featureNames = [...context, ...request, ...stored, ...cross].map((f) => f.name);
    this.storeFeatureNames = stored.map((f) => f.name);
    this.storeCrossNames = cross.map((f) => f.name);
    // The stored group kept the previous encoder only if its features are defined alike: their encoded rows are too.
    const keep = previous && this.#stored.encode === previous.#stored.encode;
    const rowWidth = sumWidths(this.#stored.feeds);
    this.#rowCache = keep ? previous.#rowCache : rowWidth > 0 && options.rowCache.max > 0 ? new RowSlab(options.rowCache, rowWidth) : null;
    this.#copyRows = keep ? previous.#copyRows : compileRowCopy(this.#stored.feeds.map((f) => f.width));
    const shared = this.#rowCache?.sharedRows;
    this.rowGather = shared ? { rows: shared, widths: this.#stored.feeds.map((f) => f.width), feeds: this.#stored.feeds.map((f) => feeds.indexOf(f)) } : null;
  }

  /** A buffer for `rows` candidates and fresh missing counts. */
  newEncoding(rows: number): Encoding {
    return { batch: new FeedBatch(this.layout, rows, this.rowGather !== null), missing: new Uint32Array(this.featureNames.length) };
  }

  /** Encodes the context (once per request); throws ERR_AUTOFAS_BAD_CONTEXT naming the field. */
  encodeContext(into: Encoding, context: Context): void {
    const problem = run(this.#context, this.layout, into, [context], 1, null);
    if (problem) throw badValue('ERR_AUTOFAS_BAD_CONTEXT', `context.${this.#context.features[problem.feature].name}`, problem);
  }

  /** Encodes the request features of the first `rows` candidates in one pass; throws ERR_AUTOFAS_BAD_CANDIDATES. */
  encodeCandidates(into: Encoding, candidates: readonly Candidate[]): void {
    this.#check(this.#request, run(this.#request, this.layout, into, candidates, into.batch.rows, null), null);
  }

  /**
   * Finds the cached store rows of `ids`; returns the rows that missed. With a shared cache the batch's slot list names
   * them and holds them for the worker, which copies them; otherwise they are copied into the buffer here.
   */
  findCachedRows(into: Encoding, ids: readonly string[]): number[] {
    const { rows, i32, slots: slotList } = into.batch;
    const cache = this.#rowCache;
    if (this.#stored.features.length === 0) return [];
    if (!cache) return Array.from({ length: rows }, (_, i) => i);
    const hold = slotList ? cache.hold() : 0;
    if (slotList) into.batch.holdRows(() => cache.release(hold));
    const slots = slotList ?? this.#slotsFor(rows);
    const missAt: number[] = [];
    if (cache.slotsOf(ids, rows, slots, hold) > 0) for (let i = 0; i < rows; i++) if (slots[i] < 0) missAt.push(i);
    if (!slotList) this.#copyRows.toColumns(cache.words, slots, rows, i32, this.#storedBases(rows));
    return missAt;
  }

  /** Encodes the store rows fetched for the rows `missAt` and caches them encoded; throws ERR_AUTOFAS_BAD_CANDIDATES. */
  encodeStoreRows(into: Encoding, fetched: StoreRows, missAt: readonly number[], ids: readonly string[]): void {
    this.#check(this.#stored, run(this.#stored, this.layout, into, fetched, missAt.length, missAt), missAt);
    const cache = this.#rowCache;
    if (!cache) return;
    const { i32, rows } = into.batch;
    const slots = this.#slotsFor(rows).fill(-1, 0, rows);
    for (const i of missAt) slots[i] = cache.allocate(ids[i]);
    // After every allocate (it may have grown the buffer); an id that took another's slot this request wins, as it would row by row.
    this.#copyRows.toRows(cache.words, slots, rows, i32, this.#storedBases(rows));
  }

  /** The slot scratch, at least `rows` long (used within one synchronous step, never across an await). */
  #slotsFor(rows: number): Int32Array {
    if (this.#slots.length < rows) this.#slots = new Int32Array(Math.max(rows, 2 * this.#slots.length));
    return this.#slots;
  }

  /** First words of the stored features' columns in a buffer of `rows` candidates. */
  #storedBases(rows: number): Int32Array {
    const { feeds, bases } = this.#stored;
    for (let k = 0; k < feeds.length; k++) bases[k] = feedOffset(this.layout, feeds[k], rows);
    return bases;
  }

  /** Encodes the cross store rows of the request (never cached: they depend on the context). */
  encodeCrossRows(into: Encoding, fetched: StoreRows): void {
    this.#check(this.#cross, run(this.#cross, this.layout, into, fetched, into.batch.rows, null), null);
  }

  /** Every item feature at its default (warm-up runs). */
  encodeDefaults(into: Encoding): void {
    const none: undefined[] = new Array(into.batch.rows);
    for (const g of [this.#request, this.#stored, this.#cross]) run(g, this.layout, into, none, into.batch.rows, null);
  }

  /** Missing values of this request by feature name (only those with any). */
  missingByFeature(missing: Uint32Array): Record<string, number> | null {
    let out: Record<string, number> | null = null;
    for (let k = 0; k < missing.length; k++) if (missing[k] > 0) (out ??= {})[this.featureNames[k]] = missing[k];
    return out;
  }

  #check(group: Group, problem: EncodeProblem | null, at: readonly number[] | null): void {
    if (!problem) return;
    const row = at ? at[problem.row] : problem.row;
    throw badValue('ERR_AUTOFAS_BAD_CANDIDATES', `candidates[${row}].features.${group.features[problem.feature].name}`, problem);
  }
}

function sourceOf(feature: Feature, storeFromCandidates: boolean): 'context' | 'request' | 'stored' | 'cross' {
  if (feature.side === 'context') return 'context';
  if (feature.source === 'request' || storeFromCandidates) return 'request';
  return feature.side === 'cross' ? 'cross' : 'stored';
}

/** Same features in the same order, each defined alike (so encoded alike). */
function sameFeatures(a: readonly Feature[], b: readonly Feature[]): boolean {
  return a.length === b.length && a.every((feature, k) => JSON.stringify(feature) === JSON.stringify(b[k]));
}

function sumWidths(feeds: readonly FeedSpec[]): number {
  return feeds.reduce((sum, f) => sum + f.width, 0);
}

/** Runs a group's encoder over `count` rows into the buffer, with its missing counts. */
function run(group: Group, layout: FeedLayout, into: Encoding, rows: ArrayLike<unknown>, count: number, at: readonly number[] | null): EncodeProblem | null {
  if (group.features.length === 0) return null;
  const { batch, missing } = into;
  for (let k = 0; k < group.feeds.length; k++) group.bases[k] = feedOffset(layout, group.feeds[k], batch.rows);
  return group.encode(rows, count, at, batch.f32, batch.i32, group.bases, missing.subarray(group.first, group.first + group.features.length));
}

function badValue(code: 'ERR_AUTOFAS_BAD_CONTEXT' | 'ERR_AUTOFAS_BAD_CANDIDATES', field: string, problem: EncodeProblem): Error {
  return autofasError(code, `${field}: ${problem.problem}`, { field });
}
