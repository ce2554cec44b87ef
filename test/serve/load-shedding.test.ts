// Overload is not failure: runs that cannot get a worker in time are shed to the fallback, counted, and never open the model breaker.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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

/** A fake pool: every run waits for `release()`, then scores 1 per row. */
function gatedRuns() {
  let open = false;
  const waiting: (() => void)[] = [];
  let calls = 0;
  const runModel = (_pool: unknown, _feeds: unknown, rows: number): Promise<ScoreResult> => {
    calls++;
    const answer = { scores: new Float32Array(rows).fill(1), runMs: 1 };
    return open ? Promise.resolve(answer) : new Promise((resolve) => waiting.push(() => resolve(answer)));
  };
  const release = () => {
    open = true;
    waiting.splice(0).forEach((go) => go());
  };
  return { runModel, release, calls: () => calls };
}

test('queue-full: the excess is shed to the vector scorer as ERR_AUTOFAS_OVERLOAD and the breaker stays closed', async () => {
  const runs = gatedRuns();
  // The most sensitive breaker there is: one counted failure would open it.
  const options = { workers: 1, maxQueue: 2, volumeThreshold: 1, errorThresholdPercentage: 1 };
  const preRanker = await testPreRanker(paths, options, { runModel: runs.runModel });
  open.push(preRanker);
  const states = collect(preRanker, 'breaker');
  const pending = Array.from({ length: 10 }, () => runOnce(preRanker, testSearch(40)));
  // 4 runs handed to the one worker + 2 waiting; the other 4 are shed at once, without the gate.
  const shed = (await Promise.all(pending.slice(6))).map((r) => [r.preRank.arm, r.preRank.path, r.preRank.fallbackReason]);
  assert.deepEqual(shed, Array(4).fill(['autofas', 'vector', 'ERR_AUTOFAS_OVERLOAD']));
  runs.release();
  const served = (await Promise.all(pending.slice(0, 6))).map((r) => r.preRank.path);
  assert.deepEqual(served, Array(6).fill('model'));
  assert.equal(runs.calls(), 6, 'shed requests never reach the pool');
  assert.equal(preRanker.stats().breaker, 'closed');
  assert.deepEqual(states, [], 'the breaker never changed state');
  assert.equal(preRanker.stats().fallbacks.ERR_AUTOFAS_OVERLOAD, 4);
  const after = await runOnce(preRanker, testSearch(40));
  assert.equal(after.preRank.path, 'model', 'once the load is gone the model serves again');
});
