// A flag provider, item store or embedding accessor that never answers cannot hang the search: each wait is bounded by timeoutMs.
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import type { PreRankerOptions } from '../../src/serve/options.js';
import type { PreRanker } from '../../src/serve/types.js';
import { runOnce, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import type { TestArtifacts } from '../helpers/serve-app.js';

let paths: TestArtifacts;
const open: PreRanker[] = [];
before(async () => {
  paths = await writeTestArtifacts();
});
after(() => Promise.all(open.map((p) => p.close())));

/** A function that never settles and reports when it was called. */
function hanging<T>(): { fn: () => Promise<T>; called: Promise<void> } {
  let entered!: () => void;
  const called = new Promise<void>((resolve) => (entered = resolve));
  return { fn: () => (entered(), new Promise<T>(() => {})), called };
}

async function runWithClock(options: Partial<PreRankerOptions>, called: Promise<void>, hooks = {}): Promise<Record<string, unknown>> {
  const preRanker = await testPreRanker(paths, { timeoutMs: 30, ...options }, { now: () => Date.now(), ...hooks });
  open.push(preRanker);
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  try {
    const pending = runOnce(preRanker, testSearch(40));
    await called;
    await new Promise((r) => setImmediate(r));
    mock.timers.tick(30);
    return (await pending).preRank;
  } finally {
    mock.timers.reset();
  }
}

test('a flag evaluator that never answers: defaults after timeoutMs, which spent the deadline, so the fallback serves', async () => {
  const { fn, called } = hanging<never>();
  const preRank = await runWithClock({ flags: { evaluate: fn } }, called);
  assert.deepEqual([preRank.arm, preRank.path, preRank.fallbackReason], ['autofas', 'vector', 'ERR_AUTOFAS_TIMEOUT']);
  assert.equal(preRank.latencyMs, 30, 'one deadline, not one per stage');
});

test('an item store that never answers: ERR_AUTOFAS_STORE after timeoutMs, then the vector scorer', async () => {
  const { fn, called } = hanging<never>();
  const preRank = await runWithClock({ itemStore: { get: fn } }, called);
  assert.equal(preRank.path, 'vector');
  assert.equal(preRank.fallbackReason, 'ERR_AUTOFAS_STORE');
});

test('an embedding accessor that never answers: matching order after timeoutMs', async () => {
  const { fn, called } = hanging<never>();
  const baseline = { getContextEmbedding: () => [1, 2], getItemEmbeddings: fn };
  const preRank = await runWithClock({ baseline, flags: { evaluate: async () => ({ enabled: true, arm: 'baseline' as const, shadow: false, teacherLogRate: 0 }) } }, called);
  assert.equal(preRank.path, 'matching-order');
  assert.equal(preRank.fallbackReason, 'ERR_AUTOFAS_TIMEOUT');
});
