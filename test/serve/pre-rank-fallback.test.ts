// Model failures fall back to the vector scorer, and a failing vector scorer to matching order; each path is counted.
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import type { ScoreResult } from '../../src/serve/score-worker.js';
import type { PreRanker } from '../../src/serve/types.js';
import { collect, runOnce, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import type { TestArtifacts } from '../helpers/serve-app.js';

let paths: TestArtifacts;
const open: PreRanker[] = [];
before(async () => {
  paths = await writeTestArtifacts();
});
after(() => Promise.all(open.map((p) => p.close())));

async function make(...args: Parameters<typeof testPreRanker> extends [unknown, ...infer R] ? R : never): Promise<PreRanker> {
  const preRanker = await testPreRanker(paths, ...args);
  open.push(preRanker);
  return preRanker;
}

const failing = async (): Promise<ScoreResult> => {
  throw Object.assign(new Error('worker crashed'), { code: 'ERR_WORKER_X' });
};

test('a worker error falls back to the vector scorer and is counted', async () => {
  const preRanker = await make({}, { runModel: failing });
  const fallbacks = collect(preRanker, 'fallback');
  const { preRank, search } = await runOnce(preRanker, testSearch(200));
  assert.equal(preRank.path, 'vector');
  assert.equal(preRank.fallbackReason, 'ERR_AUTOFAS_SCORER');
  assert.deepEqual(fallbacks, [{ from: 'model', to: 'vector', code: 'ERR_AUTOFAS_SCORER' }]);
  assert.equal(search.candidates.length, 10);
  assert.ok(search.candidates.every((c, i) => i === 0 || (c.preRankScore as number) <= (search.candidates[i - 1].preRankScore as number)));
  assert.equal(preRanker.stats().byPath.vector, 1);
  assert.equal(preRanker.stats().fallbacks.ERR_AUTOFAS_SCORER, 1);
});

test('a model run that exceeds timeoutMs falls back to the vector scorer (fake clock)', async () => {
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const preRanker = await make({ timeoutMs: 40 }, { runModel: () => (started(), new Promise<ScoreResult>(() => {})) });
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const pending = runOnce(preRanker, testSearch(100));
    await running;
    mock.timers.tick(40);
    const { preRank } = await pending;
    assert.equal(preRank.path, 'vector');
    assert.equal(preRank.fallbackReason, 'ERR_AUTOFAS_TIMEOUT');
  } finally {
    mock.timers.reset();
  }
});

test('once the breaker opens, requests go straight to the vector path; after resetTimeoutMs a good run closes it', async () => {
  let fail = true;
  let calls = 0;
  const preRanker = await make(
    { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 1000 },
    { runModel: async (pool, feeds, rows) => (calls++, fail ? failing() : pool.run(feeds, rows)) },
  );
  const states = collect(preRanker, 'breaker');
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  try {
    for (let i = 0; i < 3; i++) await runOnce(preRanker, testSearch(50));
    assert.deepEqual(states, ['open']);
    const before = calls;
    const { preRank } = await runOnce(preRanker, testSearch(50));
    assert.equal(calls, before, 'an open breaker does not call the model');
    assert.equal(preRank.path, 'vector');
    assert.equal(preRank.fallbackReason, 'ERR_AUTOFAS_BREAKER_OPEN');
    assert.equal(preRanker.stats().breaker, 'open');
    fail = false;
    mock.timers.tick(1000);
    assert.deepEqual(states, ['open', 'halfOpen']);
    assert.equal((await runOnce(preRanker, testSearch(50))).preRank.path, 'model');
    assert.deepEqual(states, ['open', 'halfOpen', 'closed']);
  } finally {
    mock.timers.reset();
  }
});

test('with the pool dead the vector scorer still serves', async () => {
  const preRanker = await make();
  assert.equal((await runOnce(preRanker, testSearch(50))).preRank.path, 'model');
  const { getPool } = await import('../helpers/serve-internals.js');
  await getPool(preRanker).destroy();
  const { preRank, search } = await runOnce(preRanker, testSearch(300));
  assert.equal(preRank.path, 'vector');
  assert.equal(search.candidates.length, 10);
});

test('when the vector scorer fails too, matching order is kept', async () => {
  const preRanker = await make(
    { baseline: { getContextEmbedding: () => [1, 2], getItemEmbeddings: async () => { throw new Error('embedding service down'); } } },
    { runModel: failing },
  );
  const fallbacks = collect(preRanker, 'fallback');
  const { preRank, search } = await runOnce(preRanker, testSearch(40));
  assert.equal(preRank.path, 'matching-order');
  assert.deepEqual(fallbacks.map((f) => `${f.from}->${f.to}`), ['model->vector', 'vector->matching-order']);
  assert.deepEqual(search.candidates.map((c) => c.item_id), Array.from({ length: 10 }, (_, i) => `i${i}`));
  assert.equal(preRanker.stats().byPath['matching-order'], 1);
});

test('without a baseline a model failure keeps matching order', async () => {
  const preRanker = await make({ baseline: undefined }, { runModel: failing });
  const { preRank } = await runOnce(preRanker, testSearch(40));
  assert.equal(preRank.path, 'matching-order');
  assert.equal(preRank.fallbackReason, 'ERR_AUTOFAS_SCORER');
});

test('a failing item store falls back with ERR_AUTOFAS_STORE', async () => {
  const preRanker = await make({ itemStore: { get: async () => { throw new Error('redis down'); } } });
  const { preRank } = await runOnce(preRanker, testSearch(40));
  assert.equal(preRank.path, 'vector');
  assert.equal(preRank.fallbackReason, 'ERR_AUTOFAS_STORE');
});
