// Only selected store features are fetched, cached encoded in an LRU with a TTL; item embeddings are cached per model and item.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GuardedItemStore } from '../../src/serve/item-store.js';
import type { ItemStore } from '../../src/serve/option-types.js';
import type { PreRanker } from '../../src/serve/types.js';
import { testStoreData } from '../helpers/serve-models.js';
import { collect, runOnce, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import type { TestArtifacts } from '../helpers/serve-app.js';

let paths: TestArtifacts;
const open: PreRanker[] = [];
before(async () => {
  paths = await writeTestArtifacts();
});
after(() => Promise.all(open.map((p) => p.close())));

function spyStore(): ItemStore & { calls: { ids: readonly string[]; names: readonly string[] }[] } {
  const data = testStoreData(3000);
  const calls: { ids: readonly string[]; names: readonly string[] }[] = [];
  return { calls, get: async (ids, names) => (calls.push({ ids, names }), ids.map((id) => data.get(id))) };
}

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
  const scores = (r: typeof fresh) => r.search.candidates.map((c) => [c.item_id, c.preRankScore]);
  assert.deepEqual(scores(cached), scores(fresh));
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
