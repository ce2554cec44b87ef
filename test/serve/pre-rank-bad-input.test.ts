// Bad inputs never fail the search: each gives a coded log line (once per code), a 'bad-input' event, and the request proceeds.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { testCandidates, testContext } from '../helpers/serve-models.js';
import { collect, recordingLogger, testApp, testPreRanker, writeTestArtifacts } from '../helpers/serve-app.js';
import type { PreRanker } from '../../src/serve/types.js';

let preRanker: PreRanker;
let refusing: PreRanker;
const logger = recordingLogger();

before(async () => {
  const paths = await writeTestArtifacts();
  [preRanker, refusing] = await Promise.all([
    testPreRanker(paths, { maxCandidates: 50, logger }),
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
  test(`bad input: ${c.name} -> ${c.code}, path ${c.path}`, async () => {
    const events = collect(preRanker, 'bad-input');
    const res = await request(testApp(preRanker)).post('/search').send(c.body);
    assert.equal(res.status, 200);
    assert.equal(res.body.preRank.path, c.path);
    assert.ok(events.some((e) => e.code === c.code), `event ${c.code} in ${JSON.stringify(events)}`);
    if (c.out !== undefined) assert.equal(res.body.ids.length, c.out);
    if (c.path !== 'model') assert.ok([c.code, undefined].includes(res.body.preRank.fallbackReason) || res.body.preRank.fallbackReason === c.code);
    preRanker.events.removeAllListeners('bad-input');
  });
}

test('bad values in a feature the model does not use cost nothing and are not checked', async () => {
  const res = await request(testApp(preRanker)).post('/search').send({ context: testContext(), candidates: withFeature(2, 'unused_ctr', 'zzz') });
  assert.equal(res.body.preRank.path, 'model');
});

test('NaN in an item feature (set by the matching hop) fails both arms and keeps matching order', async () => {
  const events = collect(preRanker, 'bad-input');
  const candidates = testCandidates(30);
  (candidates[4].features as Record<string, unknown>).item_vec = [0, NaN, 0, 0];
  const { runOnce } = await import('../helpers/serve-app.js');
  const locals = await runOnce(preRanker, { context: testContext(), candidates });
  assert.equal(locals.preRank.path, 'matching-order');
  assert.equal(locals.preRank.fallbackReason, 'ERR_AUTOFAS_BAD_CANDIDATES');
  assert.equal(events[0]?.code, 'ERR_AUTOFAS_BAD_CANDIDATES');
  assert.equal(locals.search.candidates.length, 10);
});

test('a coded line is logged once per code however often it occurs', () => {
  const codes = logger.lines.map((l) => l.code);
  assert.equal(new Set(codes).size, codes.length, codes.join(','));
  assert.ok(codes.includes('ERR_AUTOFAS_BAD_CANDIDATES'));
  assert.ok(codes.includes('ERR_AUTOFAS_BAD_CONTEXT'));
});

test('too many candidates with overflow "refuse" passes the request through untouched', async () => {
  const res = await request(testApp(refusing)).post('/search').send({ context: testContext(), candidates: testCandidates(80) });
  assert.equal(res.body.preRank.path, 'passthrough');
  assert.equal(res.body.preRank.fallbackReason, 'ERR_AUTOFAS_TOO_MANY_CANDIDATES');
  assert.equal(res.body.ids.length, 80);
  assert.equal(res.body.ids[0], 'i0');
});

test('with "tail" overflow the excess is kept unscored after the scored candidates', async () => {
  const { runOnce } = await import('../helpers/serve-app.js');
  const locals = await runOnce(preRanker, { context: testContext(), candidates: testCandidates(80) });
  const kept = locals.search.candidates;
  assert.equal(kept.length, 10);
  assert.ok(kept.every((c) => typeof c.preRankScore === 'number' && Number(c.item_id.slice(1)) < 50));
  assert.equal(refusing.stats().badInputs.ERR_AUTOFAS_TOO_MANY_CANDIDATES, 1);
});
