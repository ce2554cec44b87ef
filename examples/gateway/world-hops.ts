// The demo gateway's hops over the fixture world: matching (request features only), a world-backed item store, ranking by the teacher.
import * as ort from 'onnxruntime-node';
import type { Artifact } from '../../src/schema/artifact.js';
import { hashNormal, r4 } from '../../src/fixtures/world-math.js';
import { CATEGORIES } from '../../src/fixtures/world-spec.js';
import { createWorld, matchScore, NOISE, textRelevance } from '../../src/fixtures/world.js';
import type { World } from '../../src/fixtures/world.js';
import { candidateFeatures, contextFeatures, matchCandidates } from '../../src/fixtures/world-features.js';
import { encodeFeeds } from '../../src/fixtures/teacher.js';
import type { RawFeatureValue } from '../../src/schema/teacher-log.js';
import type { Candidate, ItemFeatures, ItemStore } from '../../src/index.js';

type Row = Record<string, RawFeatureValue>;

/** The world plus per-item features computed once at start-up: request-side ones for matching, store-side ones for the store. */
export interface WorldHops {
  readonly world: World;
  /** Context of a request (user profile included) or null for unknown users and queries. */
  context(userId: string, queryId: string): Row | null;
  /** Matching hop: the best `n` items for the query, with their request-source item and cross features. */
  match(userId: string, queryId: string, n: number): Candidate[];
  /** Store for `source: "store"` item features (cached by the plugin) and cross features (per request). */
  readonly store: ItemStore;
  /** Every feature of the given candidates, as the ranking hop reads them. */
  fullFeatures(context: Row, candidates: readonly Candidate[]): Row[];
}

/** Per-item feature tables computed once: request-side rows (for matching) and store-side rows (for the store). */
interface ItemTables {
  readonly request: readonly Row[];
  readonly store: ReadonlyMap<string, Row>;
  readonly storeNames: readonly string[];
}

function itemTables(world: World): ItemTables {
  const spec = world.spec.features;
  const requestItem = spec.filter((f) => f.side === 'item' && f.source === 'request').map((f) => f.name);
  const storeNames = spec.filter((f) => f.side === 'item' && f.source === 'store').map((f) => f.name);
  const all = candidateFeatures(world, { userId: world.users.ids[0], queryId: world.queries.ids[0] }, world.items.ids);
  const pick = (row: Row, names: readonly string[]): Row => Object.fromEntries(names.map((n) => [n, row[n]]));
  // Vectors as views into one Float32Array: contiguous, and copied into the model's feeds with one memcpy each.
  const vectors = Float32Array.from(world.items.vec);
  const dim = vectors.length / world.items.ids.length;
  const store = new Map(all.map((c, i) => [c.item_id, Object.assign(pick(c.features, storeNames), { item_vec: vectors.subarray(i * dim, (i + 1) * dim) as unknown as number[] })]));
  return { request: all.map((c) => pick(c.features, requestItem)), store, storeNames };
}

type Cross = ReturnType<typeof crossFeatures>;

function worldStore(world: World, items: ItemTables, cross: Cross): ItemStore {
  return {
    async get(ids, names, context) {
      if (names.every((n) => items.storeNames.includes(n))) return ids.map((id) => items.store.get(id));
      const u = world.userIndex.get(String(context.user_id)) ?? 0;
      const q = world.queryIndex.get(String(context.query_id)) ?? 0;
      return ids.map((id) => cross(u, q, world.itemIndex.get(id) ?? 0, names));
    },
  };
}

function worldMatcher(world: World, itemRequest: readonly Row[]): WorldHops['match'] {
  const matchedByQuery = new Map<string, { item_id: string; features: Row }[]>();
  return (_userId, queryId, n) => {
    let matched = matchedByQuery.get(queryId);
    if (!matched || matched.length < n) {
      const q = world.queryIndex.get(queryId) as number;
      matched = matchCandidates(world, queryId, n).map((id) => {
        const i = world.itemIndex.get(id) as number;
        // Object.assign, not a spread: V8 gives every `{ ...row, extra }` its own hidden class, which makes any reader
        // of these objects (the plugin's encoder among them) megamorphic; real hosts' JSON.parse'd candidates share one.
        return { item_id: id, features: Object.freeze(Object.assign({}, itemRequest[i], { match_score: matchScore(world, q, i) })) };
      });
      matchedByQuery.set(queryId, matched);
    }
    // Fresh candidate objects per request (the pre-ranker writes scores on them); feature objects are shared.
    return matched.slice(0, n).map((c) => ({ item_id: c.item_id, features: c.features }));
  };
}

/** Builds the hops over a fresh fixture world (same seed, same world). */
export function worldHops(seed?: number): WorldHops {
  const world = createWorld(seed);
  const items = itemTables(world);
  const cross = crossFeatures(world);
  return {
    world,
    store: worldStore(world, items, cross),
    match: worldMatcher(world, items.request),
    context(userId, queryId) {
      if (!world.userIndex.has(userId) || !world.queryIndex.has(queryId)) return null;
      return { ...contextFeatures(world, { userId, queryId }), user_id: userId, query_id: queryId };
    },
    fullFeatures(context, candidates) {
      const u = world.userIndex.get(String(context.user_id)) ?? 0;
      const q = world.queryIndex.get(String(context.query_id)) ?? 0;
      const crossNames = ['text_relevance', 'user_cat_clicks', 'cross_noise'];
      return candidates.map((c) => ({ ...c.features, ...items.store.get(c.item_id), ...cross(u, q, world.itemIndex.get(c.item_id) ?? 0, crossNames) }));
    },
  };
}

/** The world's cross store features for user u, query q, item i (the fixture's own formulas). */
function crossFeatures(world: World): (u: number, q: number, i: number, names: readonly string[]) => ItemFeatures {
  const K = CATEGORIES.length;
  // Query-item relevance depends on the pair only, so the store memoises it per query (as a search index would).
  const relevance = new Map<number, Float64Array>();
  const relevanceOf = (q: number, i: number): number => {
    let row = relevance.get(q);
    if (!row) relevance.set(q, (row = new Float64Array(world.items.ids.length).fill(NaN)));
    if (Number.isNaN(row[i])) row[i] = textRelevance(world, q, i);
    return row[i];
  };
  const compute: Record<string, (u: number, q: number, i: number) => number> = {
    text_relevance: (_u, q, i) => relevanceOf(q, i),
    user_cat_clicks: (u, _q, i) => world.users.catClicks[u * K + world.items.category[i]],
    cross_noise: (u, _q, i) => r4(hashNormal(world.seed * 131 + NOISE.cross, u, i)),
  };
  return (u, q, i, names) => {
    const row: Row = {};
    for (const name of names) if (compute[name]) row[name] = compute[name](u, q, i);
    return row;
  };
}

/** The ranking hop: one teacher run over the kept candidates. */
export async function teacherRanker(artifact: Artifact): Promise<(context: Row, features: Row[]) => Promise<Float32Array>> {
  const session = await ort.InferenceSession.create(artifact.modelBytes, { intraOpNumThreads: 1 });
  const inputs = artifact.card.inputs;
  return async (context, features) => {
    const feeds = encodeFeeds(inputs, { context, candidates: features.map((f) => ({ features: f })) });
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, feed] of Object.entries(feeds)) {
      const { data, dims } = feed as { data: Float32Array | Int32Array; dims: number[] };
      tensors[name] = new ort.Tensor(data instanceof Int32Array ? 'int32' : 'float32', data, dims);
    }
    const out = await session.run(tensors, [artifact.card.outputs.score]);
    return out[artifact.card.outputs.score].data as Float32Array;
  };
}
