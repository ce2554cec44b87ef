// Flags steer each request: off passes through, the baseline arm scores by vector, shadow records Overlap@K, teacher-logged requests keep all candidates.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { staticFlags } from '../../src/serve/static-flags.js';
import type { FlagValues, PreRanker } from '../../src/serve/types.js';
import { collect, recordingLogger, runOnce, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import type { TestArtifacts } from '../helpers/serve-app.js';

let paths: TestArtifacts;
const open: PreRanker[] = [];
before(async () => {
  paths = await writeTestArtifacts();
});
after(() => Promise.all(open.map((p) => p.close())));

async function withFlags(values: Partial<FlagValues>, random = () => 0.5): Promise<PreRanker> {
  const preRanker = await testPreRanker(paths, { flags: staticFlags(values), maxCandidates: 400 }, { random });
  open.push(preRanker);
  return preRanker;
}

test('autofas.enabled=false and arm off pass the request through untouched', async () => {
  for (const flags of [{ enabled: false }, { arm: 'off' as const }]) {
    const preRanker = await withFlags(flags);
    const { preRank, search } = await runOnce(preRanker, testSearch(30));
    assert.equal(preRank.path, 'passthrough');
    assert.equal(preRank.arm, 'off');
    assert.equal(search.candidates.length, 30);
  }
});

test('the baseline arm is served by the vector scorer', async () => {
  const preRanker = await withFlags({ arm: 'baseline' });
  const { preRank } = await runOnce(preRanker, testSearch(30));
  assert.deepEqual([preRank.arm, preRank.path, preRank.modelId], ['baseline', 'vector', preRanker.models().baseline?.modelId]);
});

test('autofas.k overrides k, capped at maxCandidates; NaN, 0, negatives and fractions give the configured k, counted', async () => {
  const cases = [[3, 3, 3, 0], [10_000, 400, 300, 0], [Number.NaN, 10, 10, 1], [0, 10, 10, 1], [-3, 10, 10, 1], [2.5, 10, 10, 1]] as const;
  for (const [k, wantK, wantOut, bad] of cases) {
    const preRanker = await withFlags({ k });
    const { preRank, search } = await runOnce(preRanker, testSearch(300));
    assert.equal(preRank.k, wantK, `k ${k}`);
    assert.equal(preRank.path, 'model', `k ${k}`);
    assert.equal(search.candidates.length, wantOut, `k ${k} truncates`);
    assert.equal(preRanker.stats().badInputs.ERR_AUTOFAS_FLAGS ?? 0, bad, `k ${k} counted`);
  }
});

test('shadow mode scores both arms, serves one and records their Overlap@K', async () => {
  const preRanker = await withFlags({ shadow: true });
  const { preRank } = await runOnce(preRanker, testSearch(200));
  assert.equal(preRank.path, 'model');
  assert.equal(preRank.shadowArm, 'baseline');
  assert.ok(typeof preRank.shadowOverlap === 'number' && preRank.shadowOverlap >= 0 && preRank.shadowOverlap <= 1);
});

test('a teacher-logged request bypasses truncation, keeps the scores, and carries the shadow score in shadow mode', async () => {
  const preRanker = await withFlags({ teacherLogRate: 0.6, shadow: true }, () => 0.59);
  const records = collect(preRanker, 'request');
  const { preRank, search } = await runOnce(preRanker, testSearch(50));
  assert.equal(preRank.teacherLogged, true);
  assert.equal(search.candidates.length, 50);
  assert.equal(preRank.k, 10);
  assert.ok(search.candidates.every((c) => typeof c.preRankScore === 'number' && typeof c.shadowScore === 'number'));
  assert.equal(records.length, 1);
});

test('a request not sampled is truncated as usual', async () => {
  const preRanker = await withFlags({ teacherLogRate: 0.6 }, () => 0.61);
  const { preRank, search } = await runOnce(preRanker, testSearch(50));
  assert.equal(preRank.teacherLogged, undefined);
  assert.equal(search.candidates.length, 10);
});

test('a flag evaluator that throws is replaced by the defaults', async () => {
  const preRanker = await testPreRanker(paths, { flags: { evaluate: async () => { throw new Error('provider down'); } } });
  open.push(preRanker);
  const { preRank } = await runOnce(preRanker, testSearch(20));
  assert.equal(preRank.path, 'model');
});

test('an evaluator may answer at once: its values are used; one that throws at once is replaced by the defaults, logged', async () => {
  const sync = await testPreRanker(paths, { flags: { evaluate: () => ({ enabled: true, arm: 'baseline', shadow: false, teacherLogRate: 0, k: 4 }) } });
  open.push(sync);
  const answered = await runOnce(sync, testSearch(20));
  assert.deepEqual([answered.preRank.arm, answered.preRank.path, answered.search.candidates.length], ['baseline', 'vector', 4]);
  const logger = recordingLogger();
  const throwing = await testPreRanker(paths, { logger, flags: { evaluate: () => { throw new Error('provider down'); } } });
  open.push(throwing);
  const { preRank } = await runOnce(throwing, testSearch(20));
  assert.deepEqual([preRank.arm, preRank.path], ['autofas', 'model']);
  assert.deepEqual(logger.lines.map((l) => l.code), ['ERR_AUTOFAS_FLAGS']);
});

test('the unit id comes from getUnitId, else context.user_id', async () => {
  const seen: string[] = [];
  const preRanker = await testPreRanker(paths, { flags: { evaluate: async (unit) => (seen.push(unit), { enabled: true, arm: 'autofas', shadow: false, teacherLogRate: 0 }) } });
  open.push(preRanker);
  await runOnce(preRanker, testSearch(5));
  await runOnce(preRanker, { ...testSearch(5), unitId: 'abc' });
  assert.deepEqual(seen, ['u3', 'abc']);
});

test('bad input is counted under the arm the flags assigned, not under off', async () => {
  const preRanker = await withFlags({ arm: 'baseline' });
  const records = collect(preRanker, 'request');
  await runOnce(preRanker, { context: testSearch(5).context, candidates: 'nope' });
  await runOnce(preRanker, { context: testSearch(5).context, candidates: [{ features: {} }] });
  assert.deepEqual(records.map((r) => [r.arm, r.path, r.fallbackReason]), [
    ['baseline', 'passthrough', 'ERR_AUTOFAS_BAD_CANDIDATES'],
    ['baseline', 'matching-order', 'ERR_AUTOFAS_BAD_CANDIDATES'],
  ]);
});
