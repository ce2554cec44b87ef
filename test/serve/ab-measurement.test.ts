// Online A/B measurement end to end: OpenFeature flags drive the middleware; metrics see per-arm requests, shadow overlap and online recall.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import express from 'express';
import request from 'supertest';
import { createFlagEvaluator } from '../../src/serve/flags.js';
import type { FlagClient } from '../../src/serve/flags.js';
import { preRankMetrics } from '../../src/serve/metrics.js';
import { teacherLogger } from '../../src/serve/teacher-logger.js';
import type { Candidate, PreRanker, SearchState } from '../../src/serve/types.js';
import { testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import { TEST_SPEC } from '../helpers/serve-models.js';
import { logFiles, readLines, tempDir } from './ops-helpers.js';

function client(values: Record<string, unknown>): FlagClient {
  const get = <T>(key: string, def: T): Promise<T> => Promise.resolve((key in values ? values[key] : def) as T);
  return { getBooleanValue: get, getStringValue: get, getNumberValue: get };
}

function gateway(preRanker: PreRanker, logDir: string) {
  const logger = teacherLogger({ sink: { dir: logDir, gzip: false, checkIntervalMs: 0 }, spec: TEST_SPEC });
  const app = express().use(express.json({ limit: '10mb' }));
  app.post('/search', (req, res, next) => {
    res.locals.search = { context: req.body.context, candidates: req.body.candidates } satisfies SearchState;
    next();
  }, preRanker, function rank(_req, res, next) {
    // The teacher: a fixed function of the item (here its numeric id), scored on whatever the pre-ranker kept.
    for (const c of res.locals.search?.candidates ?? []) (c as Record<string, unknown>).rankScore = -Number(c.item_id.slice(1));
    next();
  }, logger, (_req, res) => res.json({ preRank: res.locals.preRank, n: res.locals.search?.candidates.length }));
  return { app, logger };
}

const cases: [string, Record<string, unknown>, (body: { preRank: Record<string, unknown>; n: number }) => void][] = [
  ['enabled off: pass-through', { 'autofas.enabled': false }, (b) => assert.deepEqual([b.preRank.path, b.preRank.arm, b.n], ['passthrough', 'off', 100])],
  ['arm off: pass-through', { 'autofas.arm': 'off' }, (b) => assert.deepEqual([b.preRank.path, b.n], ['passthrough', 100])],
  ['arm baseline: the vector pre-ranker serves', { 'autofas.arm': 'baseline' }, (b) => assert.deepEqual([b.preRank.path, b.preRank.arm, b.n], ['vector', 'baseline', 10])],
  ['k override', { 'autofas.k': 3 }, (b) => assert.deepEqual([b.preRank.path, b.preRank.k, b.n], ['model', 3, 3])],
  ['k not an integer: the configured k', { 'autofas.k': 3.6 }, (b) => assert.deepEqual([b.preRank.path, b.preRank.k, b.n], ['model', 10, 10])],
  ['shadow: both arms scored, one served', { 'autofas.shadow': true }, (b) => {
    assert.deepEqual([b.preRank.arm, b.preRank.shadowArm, b.n], ['autofas', 'baseline', 10]);
    assert.equal(typeof b.preRank.shadowOverlap, 'number');
  }],
  ['teacher logging: no truncation', { 'autofas.teacherLogRate': 1 }, (b) => assert.deepEqual([b.preRank.teacherLogged, b.n], [true, 100])],
];

test('flag combinations through the middleware', async () => {
  const paths = await writeTestArtifacts();
  for (const [name, values, check] of cases) {
    const preRanker = await testPreRanker(paths, { flags: createFlagEvaluator({ client: client(values) }) });
    try {
      const { app, logger } = gateway(preRanker, tempDir('ab-flags'));
      const res = await request(app).post('/search').send(testSearch(100)).expect(200);
      await logger.close();
      check(res.body);
    } catch (err) {
      (err as Error).message = `${name}: ${(err as Error).message}`;
      throw err;
    } finally {
      await preRanker.close();
    }
  }
});

test('shadow + teacher logging: per-arm metrics, Overlap@K and online Recall@K of both arms; the log has every candidate', async () => {
  const paths = await writeTestArtifacts();
  const flags = createFlagEvaluator({ client: client({ 'autofas.shadow': true, 'autofas.teacherLogRate': 1 }) });
  const preRanker = await testPreRanker(paths, { flags });
  after(() => preRanker.close());
  const logDir = tempDir('ab-log');
  const { app, logger } = gateway(preRanker, logDir);
  const metrics = preRankMetrics(preRanker, { teacherLogger: logger });
  for (let i = 0; i < 3; i++) await request(app).post('/search').send(testSearch(100, i)).expect(200);
  await logger.close();
  const text = await metrics.registry.metrics();
  assert.match(text, /autofas_requests_total\{arm="autofas",path="model"\} 3/);
  assert.match(text, /autofas_shadow_overlap_count\{arm="autofas",shadow_arm="baseline"\} 3/);
  assert.match(text, /autofas_online_recall_count\{arm="autofas",role="served"\} 3/);
  assert.match(text, /autofas_online_recall_count\{arm="baseline",role="shadow"\} 3/);
  assert.match(text, /autofas_candidates_in_total\{arm="autofas"\} 300/);
  assert.match(text, /autofas_teacher_log_lines_total 3/);
  const lines = logFiles(logDir).flatMap(readLines).map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.ok(lines.every((l) => l.candidates.length === 100));
});
