// Only selected store features are fetched, cached encoded in an LRU with a TTL (kept by a reload to a model whose
// store features are defined alike); item embeddings are cached per model and item.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GuardedItemStore } from '../../src/serve/item-store.js';
import type { ItemStore } from '../../src/serve/option-types.js';
import type { PreRanker, SearchState } from '../../src/serve/types.js';
import { testStoreData, writeScorerArtifact } from '../helpers/serve-models.js';
import { collect, runOnce, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import type { TestArtifacts } from '../helpers/serve-app.js';

let paths: TestArtifacts;
const open: PreRanker[] = [];
before(async () => {
  paths = await writeTestArtifacts();
});
after(() => Promise.all(open.map((p) => p.close())));

/** The test store, counting its calls; with `oddMissing`, items with an odd number have no row. */
function spyStore(oddMissing = false): ItemStore & { calls: { ids: readonly string[]; names: readonly string[] }[] } {
  const data = testStoreData(3000);
  const calls: { ids: readonly string[]; names: readonly string[] }[] = [];
  const row = (id: string) => (oddMissing && Number(id.slice(1)) % 2 === 1 ? undefined : data.get(id));
  return { calls, get: async (ids, names) => (calls.push({ ids, names }), ids.map(row)) };
}

const scoresOf = (r: { search: SearchState }) => r.search.candidates.map((c) => [c.item_id, c.preRankScore]);

test('the store is asked once per request, only for the model\'s store features, and the cache answers repeats', async () => {
  const store = spyStore();
  const preRanker = await testPreRanker(paths, { itemStore: store, baseline: undefined });
  open.push(preRanker);
  const cache = collect(preRanker, 'cache');
  await runOnce(preRanker, testSearch(100));
  assert.equal(store.calls.length, 1);
  assert.deepEqual(store.calls[0].names, ['item_price'], 'unused_ctr is not selected by the model, so never fetched');
  assert.equal(store.calls[0].ids.length, 100);
  await runOnce(preRanker, testSearch(120));
  assert.equal(store.calls.length, 2);
  assert.equal(store.calls[1].ids.length, 20, 'only the 20 new items miss the cache');
  assert.deepEqual(cache.map((c) => [c.cache, c.hits, c.misses]), [['item-features', 0, 100], ['item-features', 100, 20]]);
});

test('item-feature cache entries expire after the TTL (fake clock)', async () => {
  const store = spyStore();
  let now = 5;
  const preRanker = await testPreRanker(paths, { itemStore: store, baseline: undefined, itemCacheTtlMs: 1000 }, { cachePerf: { now: () => now } });
  open.push(preRanker);
  await runOnce(preRanker, testSearch(2));
  await runOnce(preRanker, testSearch(2));
  assert.equal(store.calls.length, 1, 'the second request is served from the cache');
  now = 1006;
  await runOnce(preRanker, testSearch(2));
  assert.equal(store.calls.length, 2, 'expired rows are fetched again');
});

test('a cache hit gives the same scores as a fresh store read (rows are cached encoded)', async () => {
  const cold = await testPreRanker(paths, { itemCacheSize: 0, k: 50 });
  const warm = await testPreRanker(paths, { k: 50 });
  open.push(cold, warm);
  await runOnce(warm, testSearch(50));
  const fresh = await runOnce(cold, testSearch(50));
  const cached = await runOnce(warm, testSearch(50));
  assert.deepEqual(scoresOf(cached), scoresOf(fresh));
});

test('a reload to a model with the same store features keeps the cached rows; scores are those of a cold cache', async () => {
  const store = spyStore(true);
  const preRanker = await testPreRanker(paths, { itemStore: store, baseline: undefined, k: 50 });
  const cold = await testPreRanker(paths, { model: paths.model2, itemStore: spyStore(true), baseline: undefined, k: 50 });
  open.push(preRanker, cold);
  await runOnce(preRanker, testSearch(50));
  await preRanker.reload(paths.model2);
  const kept = await runOnce(preRanker, testSearch(50));
  assert.equal(kept.preRank.modelId, cold.models().model?.modelId);
  assert.equal(store.calls.length, 1, 'the rows cached under the first model serve the second');
  assert.deepEqual(scoresOf(kept), scoresOf(await runOnce(cold, testSearch(50))));
});

test('a reload to a model that encodes a store feature otherwise starts a new cache of rows', async () => {
  const dir = join(paths.root, 'price-default-2');
  await writeScorerArtifact(dir, 11, 2); // model2's network; a missing item_price is now 2, not 1
  const store = spyStore(true);
  const preRanker = await testPreRanker(paths, { itemStore: store, baseline: undefined, k: 50 });
  const cold = await testPreRanker(paths, { model: dir, itemStore: spyStore(true), baseline: undefined, k: 50 });
  open.push(preRanker, cold);
  await runOnce(preRanker, testSearch(50));
  await preRanker.reload(dir);
  const fresh = await runOnce(preRanker, testSearch(50));
  assert.equal(store.calls.length, 2, 'the new model\'s rows are fetched and encoded anew');
  assert.deepEqual(scoresOf(fresh), scoresOf(await runOnce(cold, testSearch(50))));
});

test('a store that answers out of shape is a coded ERR_AUTOFAS_STORE', async () => {
  const breaker = { timeoutMs: 50, errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 1000, rollingWindowMs: 1000 };
  const guarded = new GuardedItemStore({ get: async () => [] }, { breaker, onBreaker: () => {} });
  await assert.rejects(guarded.get(['a'], ['x'], {}, { remainingMs: () => 1000, failed: false }), (err: { code?: string }) => err.code === 'ERR_AUTOFAS_STORE');
  guarded.shutdown();
});

test('the vector scorer computes item embeddings on a miss only, then serves them from its cache', async () => {
  const preRanker = await testPreRanker(paths, {}, { runModel: async () => { throw new Error('down'); } });
  open.push(preRanker);
  const cache = collect(preRanker, 'cache');
  const first = await runOnce(preRanker, testSearch(300));
  const second = await runOnce(preRanker, testSearch(300));
  assert.equal(first.preRank.path, 'vector');
  assert.deepEqual(cache.filter((c) => c.cache === 'item-embeddings').map((c) => [c.hits, c.misses]), [[0, 300], [300, 0]]);
  assert.deepEqual(first.search.candidates.map((c) => c.preRankScore), second.search.candidates.map((c) => c.preRankScore));
});

test('precomputed embeddings (accessors) rank by dot product', async () => {
  const itemVectors = new Map([['i0', [0, 1]], ['i1', [1, 0]], ['i2', [2, 2]]]);
  const preRanker = await testPreRanker(paths, {
    k: 3,
    baseline: { getContextEmbedding: () => [1, 0.5], getItemEmbeddings: async (ids) => ids.map((id) => itemVectors.get(id)) },
  }, { runModel: async () => { throw new Error('down'); } });
  open.push(preRanker);
  const { preRank, search } = await runOnce(preRanker, testSearch(3));
  assert.equal(preRank.path, 'vector');
  assert.deepEqual(search.candidates.map((c) => [c.item_id, c.preRankScore]), [['i2', 3], ['i1', 1], ['i0', 0.5]]);
});

test('a tiny embedding cache shared by concurrent requests still gives every item its own dot product', async () => {
  const vectorOf = (id: string): number[] => [Number(id.slice(1)), 1];
  let gate: () => void = () => {};
  const opened = new Promise<void>((resolve) => (gate = resolve));
  const preRanker = await testPreRanker(paths, {
    k: 12,
    embeddingCacheSize: 5,
    baseline: {
      getContextEmbedding: () => [1, 0.5],
      getItemEmbeddings: async (ids) => (await opened, ids.map(vectorOf)),
    },
  }, { runModel: async () => { throw new Error('down'); } });
  open.push(preRanker);
  const first = runOnce(preRanker, testSearch(12));
  const second = runOnce(preRanker, { ...testSearch(12), candidates: testSearch(12).candidates.reverse() });
  gate();
  for (const { search } of await Promise.all([first, second, runOnce(preRanker, testSearch(12))])) {
    for (const c of search.candidates) assert.equal(c.preRankScore, Math.fround(Number(c.item_id.slice(1)) + 0.5));
  }
});

test('rows a request found in a full cache are not replaced by later requests\' misses before its worker copies them', async () => {
  // The first run blocks the only worker for 300 ms. Meanwhile request B finds its 20 rows in the full 20-row cache
  // (its rows then wait for the worker) and request C misses 40 others, whose rows would replace B's. B's scores must
  // be those of a pre-ranker without a cache, whenever the worker gets to B.
  let runs = 0;
  const warm = await testPreRanker(paths, { itemCacheSize: 20, baseline: undefined, k: 20 }, { stallMs: () => (++runs === 2 ? 300 : 0) });
  const cold = await testPreRanker(paths, { itemCacheSize: 0, baseline: undefined, k: 20 });
  open.push(warm, cold);
  const ids = (from: number, n: number): SearchState => {
    const all = testSearch(from + n);
    return { ...all, candidates: all.candidates.slice(from) };
  };
  await runOnce(warm, ids(0, 20)); // fills the cache
  const stalled = runOnce(warm, ids(0, 5));
  const b = runOnce(warm, ids(0, 20));
  const c = runOnce(warm, ids(100, 40));
  const [held] = await Promise.all([b, c, stalled]);
  assert.equal(held.preRank.path, 'model');
  assert.deepEqual(scoresOf(held), scoresOf(await runOnce(cold, ids(0, 20))));
});
