// The model breaker judges a run by its time on the worker: a busy main thread answering late is not a model failure.
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import type { ScoreResult } from '../../src/serve/score-worker.js';
import type { PreRanker } from '../../src/serve/types.js';
import { runOnce, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import type { TestArtifacts } from '../helpers/serve-app.js';
import { turn, turns } from '../helpers/event-loop.js';

let paths: TestArtifacts;
const open: PreRanker[] = [];
before(async () => {
  paths = await writeTestArtifacts();
});
after(() => Promise.all(open.map((p) => p.close())));

/** A pre-ranker with the most sensitive breaker (one counted failure opens it) whose runs answer `answer` after `delayMs`. */
async function withRuns(delayMs: number, workerMs: number): Promise<PreRanker> {
  const runModel = (_pool: unknown, _batch: unknown, rows: number): Promise<ScoreResult> =>
    new Promise((resolve) => setTimeout(() => resolve({ scores: new Float32Array(rows).fill(1), runMs: 1, workerMs }), delayMs));
  const preRanker = await testPreRanker(paths, { timeoutMs: 40, volumeThreshold: 1, errorThresholdPercentage: 1 }, { runModel, now: () => Date.now() });
  open.push(preRanker);
  return preRanker;
}

async function scoreOnce(preRanker: PreRanker, tickMs: number): Promise<Record<string, unknown>> {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  try {
    const pending = runOnce(preRanker, testSearch(30));
    for (let t = 0; t < tickMs; t += 5) {
      await turn();
      mock.timers.tick(5);
    }
    const { preRank } = await pending;
    await turns(5);
    return preRank;
  } finally {
    mock.timers.reset();
  }
}

test('a run picked up 60 ms late by the main thread after 2 ms on its worker: the request falls back, the breaker stays closed', async () => {
  const preRanker = await withRuns(60, 2);
  const preRank = await scoreOnce(preRanker, 70);
  assert.equal(preRank.fallbackReason, 'ERR_AUTOFAS_TIMEOUT');
  assert.equal(preRanker.stats().breaker, 'closed');
});

test('a run that answered in time but took 60 ms on its worker is a model failure: the breaker opens', async () => {
  const preRanker = await withRuns(1, 60);
  const preRank = await scoreOnce(preRanker, 10);
  assert.equal(preRank.fallbackReason, 'ERR_AUTOFAS_TIMEOUT');
  assert.equal(preRanker.stats().breaker, 'open');
});
