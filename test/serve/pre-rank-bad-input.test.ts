// Bad inputs never fail the search: each gives a coded log line (once per code), a 'bad-input' event, and the request proceeds.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { testCandidates, testContext } from '../helpers/serve-models.js';
import { collect, recordingLogger, runOnce, testApp, testPreRanker, writeTestArtifacts, type TestArtifacts } from '../helpers/serve-app.js';
import { staticFlags } from '../../src/serve/static-flags.js';
import type { PreRanker } from '../../src/serve/types.js';

let paths: TestArtifacts;
let preRanker: PreRanker;
let refusing: PreRanker;

before(async () => {
  paths = await writeTestArtifacts();
  [preRanker, refusing] = await Promise.all([
    testPreRanker(paths, { maxCandidates: 50 }),
    testPreRanker(paths, { maxCandidates: 50, overflow: 'refuse', baseline: undefined }),
  ]);
});
after(() => Promise.all([preRanker.close(), refusing.close()]));

const withFeature = (i: number, name: string, value: unknown) => {
  const candidates = testCandidates(20) as unknown as Record<string, unknown>[];
  candidates[i] = { ...candidates[i], features: { ...(candidates[i].features as object), [name]: value } };
  return candidates;
};

interface Case {
  readonly name: string;
  readonly body: Record<string, unknown>;
  readonly code: string;
  readonly path: string;
  readonly out?: number;
}

const cases: Case[] = [
  { name: 'candidates not an array', body: { context: testContext(), candidates: { a: 1 } }, code: 'ERR_AUTOFAS_BAD_CANDIDATES', path: 'passthrough' },
  { name: 'candidates missing', body: { context: testContext() }, code: 'ERR_AUTOFAS_BAD_CANDIDATES', path: 'passthrough' },
  { name: 'duplicate ids', body: { context: testContext(), candidates: [...testCandidates(12), testCandidates(1)[0]] }, code: 'ERR_AUTOFAS_BAD_CANDIDATES', path: 'matching-order', out: 10 },
  { name: 'item id not a string', body: { context: testContext(), candidates: [{ item_id: 7 }] }, code: 'ERR_AUTOFAS_BAD_CANDIDATES', path: 'matching-order', out: 1 },
  { name: 'candidate null', body: { context: testContext(), candidates: [null] }, code: 'ERR_AUTOFAS_BAD_CANDIDATES', path: 'matching-order', out: 1 },
  { name: 'missing context', body: { candidates: testCandidates(20) }, code: 'ERR_AUTOFAS_BAD_CONTEXT', path: 'matching-order', out: 10 },
  { name: 'context feature wrong type', body: { context: { ...testContext(), user_age: 'old' }, candidates: testCandidates(20) }, code: 'ERR_AUTOFAS_BAD_CONTEXT', path: 'matching-order', out: 10 },
  { name: 'vector feature wrong length', body: { context: testContext(), candidates: withFeature(3, 'item_vec', [1, 2]) }, code: 'ERR_AUTOFAS_BAD_CANDIDATES', path: 'matching-order', out: 10 },
  { name: 'numeric given as string', body: { context: { ...testContext(), query_vec: [1, 'x', 3, 4] }, candidates: testCandidates(20) }, code: 'ERR_AUTOFAS_BAD_CONTEXT', path: 'matching-order', out: 10 },
  { name: 'categorical given as object', body: { context: testContext(), candidates: withFeature(0, 'item_cat', { x: 1 }) }, code: 'ERR_AUTOFAS_BAD_CANDIDATES', path: 'matching-order', out: 10 },
  { name: 'too many candidates (tail)', body: { context: testContext(), candidates: testCandidates(80) }, code: 'ERR_AUTOFAS_TOO_MANY_CANDIDATES', path: 'model', out: 10 },
];

for (const c of cases) {
  test(`bad input: ${c.name} -> ${c.code}, path ${c.path}`, async (t) => {
    const events = collect(preRanker, 'bad-input');
    t.after(() => preRanker.events.removeAllListeners('bad-input'));
    const res = await request(testApp(preRanker)).post('/search').send(c.body);
    assert.equal(res.status, 200);
    assert.equal(res.body.preRank.path, c.path);
    assert.ok(events.some((e) => e.code === c.code), `event ${c.code} in ${JSON.stringify(events)}`);
    if (c.out !== undefined) assert.equal(res.body.ids.length, c.out);
    if (c.path !== 'model') assert.ok([c.code, undefined].includes(res.body.preRank.fallbackReason) || res.body.preRank.fallbackReason === c.code);
  });
}

test('bad values in a feature the model does not use cost nothing and are not checked', async () => {
  const res = await request(testApp(preRanker)).post('/search').send({ context: testContext(), candidates: withFeature(2, 'unused_ctr', 'zzz') });
  assert.equal(res.body.preRank.path, 'model');
});

test('NaN in an item feature (set by the matching hop) fails both arms and keeps matching order', async (t) => {
  const events = collect(preRanker, 'bad-input');
  t.after(() => preRanker.events.removeAllListeners('bad-input'));
  const candidates = testCandidates(30);
  (candidates[4].features as Record<string, unknown>).item_vec = [0, NaN, 0, 0];
  const locals = await runOnce(preRanker, { context: testContext(), candidates });
  assert.equal(locals.preRank.path, 'matching-order');
  assert.equal(locals.preRank.fallbackReason, 'ERR_AUTOFAS_BAD_CANDIDATES');
  assert.equal(events[0]?.code, 'ERR_AUTOFAS_BAD_CANDIDATES');
  assert.equal(locals.search.candidates.length, 10);
});

test('a repeated item id keeps matching order on either arm, counted once under the assigned arm, though the model path checked it while its run was out', async () => {
  for (const arm of ['autofas', 'baseline'] as const) {
    const own = await testPreRanker(paths, { flags: staticFlags({ arm }) });
    try {
      const candidates = [...testCandidates(12), testCandidates(3)[2]];
      const locals = await runOnce(own, { context: testContext(), candidates });
      assert.equal(locals.preRank.path, 'matching-order', arm);
      assert.equal(locals.preRank.arm, arm);
      assert.equal(locals.preRank.fallbackReason, 'ERR_AUTOFAS_BAD_CANDIDATES');
      assert.deepEqual(locals.search.candidates.map((c) => c.item_id), candidates.slice(0, 10).map((c) => c.item_id), 'matching order, first k');
      assert.ok(locals.search.candidates.every((c) => c.preRankScore === undefined), 'no scores on a refused request');
      assert.deepEqual(own.stats().badInputs, { ERR_AUTOFAS_BAD_CANDIDATES: 1 }, 'counted once');
      assert.equal(own.stats().byPath['matching-order'], 1);
    } finally {
      await own.close();
    }
  }
});

test('a coded line is logged once per code however often it occurs', async () => {
  const logger = recordingLogger();
  const own = await testPreRanker(paths, { logger });
  try {
    const badContext = { context: { ...testContext(), user_age: 'old' }, candidates: testCandidates(20) };
    const badCandidates = { context: testContext(), candidates: [null] };
    for (const body of [badContext, badCandidates, badContext, badCandidates, badContext]) await runOnce(own, body);
    assert.deepEqual(logger.lines.map((l) => l.code).sort(), ['ERR_AUTOFAS_BAD_CANDIDATES', 'ERR_AUTOFAS_BAD_CONTEXT']);
  } finally {
    await own.close();
  }
});

test('too many candidates with overflow "refuse" passes the request through untouched', async () => {
  const before = refusing.stats().badInputs.ERR_AUTOFAS_TOO_MANY_CANDIDATES ?? 0;
  const res = await request(testApp(refusing)).post('/search').send({ context: testContext(), candidates: testCandidates(80) });
  assert.equal(res.body.preRank.path, 'passthrough');
  assert.equal(res.body.preRank.fallbackReason, 'ERR_AUTOFAS_TOO_MANY_CANDIDATES');
  assert.deepEqual(res.body.ids, testCandidates(80).map((c) => c.item_id));
  assert.equal(refusing.stats().badInputs.ERR_AUTOFAS_TOO_MANY_CANDIDATES, before + 1);
});

test('with "tail" overflow the excess is kept unscored after the scored candidates', async () => {
  // A teacher-logged request keeps the whole list (the teacher scores it all), so the tail after the scored 50 shows.
  const own = await testPreRanker(paths, { maxCandidates: 50, flags: staticFlags({ teacherLogRate: 1 }) });
  try {
    const candidates = testCandidates(80);
    const locals = await runOnce(own, { context: testContext(), candidates });
    const kept = locals.search.candidates;
    assert.equal(locals.preRank.path, 'model');
    assert.equal(kept.length, 80);
    const scored = kept.slice(0, 50);
    assert.ok(scored.every((c) => typeof c.preRankScore === 'number'), 'the first maxCandidates are scored');
    assert.deepEqual(scored.map((c) => c.item_id).sort(), candidates.slice(0, 50).map((c) => c.item_id).sort());
    const tail = kept.slice(50);
    assert.ok(tail.every((c) => c.preRankScore === undefined), 'the tail is unscored');
    assert.deepEqual(tail.map((c) => c.item_id), candidates.slice(50).map((c) => c.item_id), 'the tail keeps matching order');
  } finally {
    await own.close();
  }
});
