// `timeoutMs` bounds the whole model path: time spent in the item store is not given to the model run again.
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import type { ItemStore } from '../../src/serve/option-types.js';
import type { ScoreResult } from '../../src/serve/score-worker.js';
import type { PreRanker } from '../../src/serve/types.js';
import { runOnce, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import type { TestArtifacts } from '../helpers/serve-app.js';
import { turn } from '../helpers/event-loop.js';

let paths: TestArtifacts;
const open: PreRanker[] = [];
before(async () => {
  paths = await writeTestArtifacts();
});
after(() => Promise.all(open.map((p) => p.close())));

/** A store that answers after `delayMs` of (fake) time, and a model run that takes 20 ms of it. */
async function slowPath(delayMs: number, options = {}) {
  let storeCalled!: () => void;
  let runStarted!: () => void;
  const storeCall = new Promise<void>((resolve) => (storeCalled = resolve));
  const runStart = new Promise<void>((resolve) => (runStarted = resolve));
  const itemStore: ItemStore = {
    get: (ids) => (storeCalled(), new Promise((resolve) => setTimeout(() => resolve(ids.map(() => ({ item_price: 2 }))), delayMs))),
  };
  const runModel = (_pool: unknown, _feeds: unknown, rows: number): Promise<ScoreResult> => {
    runStarted();
    return new Promise((resolve) => setTimeout(() => resolve({ scores: new Float32Array(rows).fill(1), runMs: 20 }), 20));
  };
  const preRanker = await testPreRanker(paths, { timeoutMs: 40, itemStore, ...options }, { runModel, now: () => Date.now() });
  open.push(preRanker);
  return { preRanker, storeCall, runStart };
}

async function scoreWithFakeClock(delayMs: number, tickAfterRunMs: number): Promise<Record<string, unknown>> {
  const { preRanker, storeCall, runStart } = await slowPath(delayMs);
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  try {
    const pending = runOnce(preRanker, testSearch(50));
    await storeCall;
    mock.timers.tick(delayMs);
    await runStart;
    mock.timers.tick(tickAfterRunMs);
    return (await pending).preRank;
  } finally {
    mock.timers.reset();
  }
}

test('a 20 ms run after a 30 ms store read exceeds the 40 ms deadline and falls back', async () => {
  const preRank = await scoreWithFakeClock(30, 10);
  assert.equal(preRank.path, 'vector');
  assert.equal(preRank.fallbackReason, 'ERR_AUTOFAS_TIMEOUT');
});

test('the same 20 ms run after an instant store read is served by the model', async () => {
  const preRank = await scoreWithFakeClock(0, 20);
  assert.equal(preRank.path, 'model');
  assert.equal(preRank.fallbackReason, undefined);
});

test('a run that starts late and answers within timeoutMs: the request falls back, the model breaker counts no failure', async () => {
  // The most sensitive breaker: one counted failure opens it.
  const { preRanker, storeCall, runStart } = await slowPath(30, { volumeThreshold: 1, errorThresholdPercentage: 1 });
  const states: string[] = [];
  preRanker.events.on('breaker', (state) => void states.push(state));
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  try {
    const pending = runOnce(preRanker, testSearch(50));
    await storeCall;
    mock.timers.tick(30);
    await runStart;
    mock.timers.tick(10); // the request's 40 ms are spent; the run is 10 ms into its 20
    assert.equal((await pending).preRank.fallbackReason, 'ERR_AUTOFAS_TIMEOUT');
    mock.timers.tick(10); // the run answers, 20 ms after its start: well within timeoutMs
    await turn();
  } finally {
    mock.timers.reset();
  }
  assert.equal(preRanker.stats().breaker, 'closed');
  assert.deepEqual(states, []);
});
