// A hung item store costs one request deadline, then fails fast once the store's own breaker is open (fake clock).
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import { GuardedItemStore } from '../../src/serve/item-store.js';
import type { PreRanker } from '../../src/serve/types.js';
import { collect, runOnce, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import type { TestArtifacts } from '../helpers/serve-app.js';

let paths: TestArtifacts;
const open: PreRanker[] = [];
before(async () => {
  paths = await writeTestArtifacts();
});
after(() => Promise.all(open.map((p) => p.close())));

test('a hung store: the first request spends one deadline (not one per stage), the next fail fast on the open store breaker', async () => {
  let calls = 0;
  let entered!: () => void;
  const called = new Promise<void>((resolve) => (entered = resolve));
  const itemStore = { get: () => (calls++, entered(), new Promise<never>(() => {})) };
  const options = { timeoutMs: 30, itemStore, volumeThreshold: 1, errorThresholdPercentage: 50 };
  const preRanker = await testPreRanker(paths, options, { now: () => Date.now() });
  open.push(preRanker);
  const storeStates = collect(preRanker, 'store-breaker');
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  try {
    const pending = runOnce(preRanker, testSearch(40));
    await called;
    mock.timers.tick(30);
    const first = (await pending).preRank;
    assert.deepEqual([first.path, first.fallbackReason, first.latencyMs], ['vector', 'ERR_AUTOFAS_STORE', 30]);
    assert.deepEqual(storeStates, ['open']);
    assert.equal(preRanker.stats().storeBreaker, 'open');
    assert.equal(preRanker.stats().breaker, 'closed', 'a store failure is not a model failure');
    for (let i = 0; i < 3; i++) {
      const next = (await runOnce(preRanker, testSearch(40))).preRank; // no clock tick: nothing waits
      assert.deepEqual([next.path, next.fallbackReason, next.latencyMs], ['vector', 'ERR_AUTOFAS_STORE_BREAKER_OPEN', 0]);
    }
    assert.equal(calls, 1, 'the open breaker never calls the store');
  } finally {
    mock.timers.reset();
  }
});

test('within one request, a store that already failed is not asked again (the fallback does not wait on it twice)', async () => {
  let calls = 0;
  const breaker = { timeoutMs: 30, errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 1000, rollingWindowMs: 1000 };
  const store = new GuardedItemStore({ get: async () => (calls++, Promise.reject(new Error('down'))) }, { breaker, onBreaker: () => {} });
  const scope = { remainingMs: () => 30, failed: false };
  await assert.rejects(store.get(['a'], ['x'], {}, scope), (err: { code?: string }) => err.code === 'ERR_AUTOFAS_STORE');
  assert.equal(scope.failed, true);
  await assert.rejects(store.get(['a'], ['x'], {}, scope), (err: { code?: string }) => err.code === 'ERR_AUTOFAS_STORE');
  assert.equal(calls, 1, 'the second read failed at once');
  await store.get(['a'], ['x'], {}, { remainingMs: () => 30, failed: false }).catch(() => undefined);
  assert.equal(calls, 2, 'another request asks again (the breaker is still closed)');
  store.shutdown();
});
