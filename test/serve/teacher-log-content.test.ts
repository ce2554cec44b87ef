// teacherLogger writes one teacher-log line per sampled request that the searcher's dataset loader reads as is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import request from 'supertest';
import { loadDataset } from '../../src/search/data/dataset.js';
import { recallAtK, teacherLogger } from '../../src/serve/teacher-logger.js';
import type { Candidate, PreRankRecord, SearchState } from '../../src/serve/types.js';
import { TEST_SPEC, testCandidates, testContext } from '../helpers/serve-models.js';
import { logFiles, readLines, tempDir } from './ops-helpers.js';

/** A gateway: matching writes 20 candidates, a fake pre-ranker marks every 2nd request sampled, ranking scores all. */
function gateway(dir: string, extra: Parameters<typeof teacherLogger>[0] = {}) {
  let n = 0;
  const logger = teacherLogger({ sink: { dir, checkIntervalMs: 0 }, spec: TEST_SPEC, label: (c) => (c.item_id === 'i0' ? 1 : undefined), ...extra });
  const app = express();
  app.post('/search', (_req: Request, res: Response, next: NextFunction) => {
    const candidates = testCandidates(20, n).map((c, i) => ({ ...c, preRankScore: i, shadowScore: 20 - i }));
    res.locals.search = { context: testContext(n), candidates };
    const record: Partial<PreRankRecord> = { arm: 'autofas', shadowArm: 'baseline', k: 5, teacherLogged: n++ % 2 === 0 };
    res.locals.preRank = record as PreRankRecord;
    next();
  });
  app.post('/search', function rank(_req: Request, res: Response, next: NextFunction) {
    for (const c of res.locals.search?.candidates ?? []) (c as Record<string, unknown>).rankScore = Number(c.item_id.slice(1));
    next();
  });
  app.post('/search', logger, (_req: Request, res: Response) => res.json({ ok: true }));
  return { app, logger };
}

test('sampled requests become teacher-log lines the dataset loader reads; others are not logged', async () => {
  const dir = tempDir('tlog');
  const { app, logger } = gateway(dir);
  for (let i = 0; i < 6; i++) await request(app).post('/search').set('X-Request-Id', `req-${i}`).expect(200);
  await logger.close();
  const files = logFiles(dir);
  const records = files.flatMap(readLines).map((l) => JSON.parse(l));
  assert.deepEqual(records.map((r) => r.request_id), ['req-0', 'req-2', 'req-4']);
  const first = records[0];
  assert.deepEqual(Object.keys(first), ['request_id', 'context', 'candidates', 'pre_rank']);
  assert.deepEqual(first.pre_rank, { arm: 'autofas', k: 5, shadow_arm: 'baseline' }, 'how the pre-ranker handled it, for autofas ab-report');
  assert.deepEqual(Object.keys(first.context).sort(), ['query_vec', 'user_age'], 'only spec features (user_id dropped)');
  assert.equal(first.candidates.length, 20);
  assert.deepEqual(first.candidates[3], { item_id: 'i3', features: testCandidates(20, 0)[3].features, teacher_score: 3, pre_rank_score: 3, shadow_score: 17 });
  assert.equal(first.candidates[0].label, 1);
  const { dataset, report } = await loadDataset(files, TEST_SPEC);
  assert.equal(dataset.requests, 3);
  assert.equal(dataset.rows, 60);
  assert.equal(report.skipped, 0);
  assert.equal(dataset.teacher[3], 3);
});

test('online Recall@K per arm on teacher-logged requests, served and shadow', async () => {
  const dir = tempDir('tlog-recall');
  const { app, logger } = gateway(dir, { recallTop: 5 });
  const recalls: unknown[] = [];
  logger.events.on('recall', (r) => recalls.push(r));
  await request(app).post('/search').expect(200);
  await logger.close();
  // Teacher = item index; served arm scores = index (same order, recall 1); shadow = reversed (recall 0).
  assert.deepEqual(recalls, [
    { arm: 'autofas', k: 5, top: 5, recall: 1, shadow: false },
    { arm: 'baseline', k: 5, top: 5, recall: 0, shadow: true },
  ]);
  assert.equal(recallAtK([5, 4, 3, 2, 1, 0], [0, 1, 2, 3, 4, 5], 3, 2), 0);
  assert.equal(recallAtK([0, 5, 4, 1, 2, 3], [0, 1, 2, 3, 4, 5], 3, 2), 0.5);
  assert.equal(recallAtK([1, 2], [1, 2], 2, 1), null, 'not measurable when nothing was cut');
});

test('a missing teacher score or a throwing accessor skips the line and never fails the request', async () => {
  const dir = tempDir('tlog-skip');
  const { app, logger } = gateway(dir, { teacherScore: (c) => (c.item_id === 'i7' ? undefined : 1) });
  const skipped: string[] = [];
  logger.events.on('skipped', (s) => skipped.push(s.reason));
  await request(app).post('/search').expect(200);
  const { app: app2, logger: logger2 } = gateway(dir, {
    teacherScore: () => {
      throw new Error('accessor bug');
    },
  });
  logger2.events.on('skipped', (s) => skipped.push(s.reason));
  await request(app2).post('/search').expect(200);
  await Promise.all([logger.close(), logger2.close()]);
  assert.deepEqual(skipped, ['teacher-score', 'error']);
  assert.equal(logFiles(dir).length, 0);
});

test('typed-array features are logged as JSON arrays', async () => {
  const dir = tempDir('tlog-typed');
  const logger = teacherLogger({ sink: { dir, gzip: false, checkIntervalMs: 0 }, isSampled: () => true });
  const app = express();
  app.post('/search', (_req, res, next) => {
    // Typed arrays are accepted at run time although the declared feature type is `readonly number[]`.
    res.locals.search = { context: { q: Float32Array.of(0.5, 1) }, candidates: [{ item_id: 'x', rankScore: 1, features: { v: Float64Array.of(1, 2) } }] } as unknown as SearchState;
    next();
  }, logger, (_req, res) => res.json({}));
  await request(app).post('/search').set('X-Request-Id', 't1').expect(200);
  await logger.close();
  assert.deepEqual(logFiles(dir).flatMap(readLines).map((l) => JSON.parse(l)), [
    { request_id: 't1', context: { q: [0.5, 1] }, candidates: [{ item_id: 'x', features: { v: [1, 2] }, teacher_score: 1 }] },
  ]);
});

test("when: 'finish' logs after the response, wherever it is mounted", async () => {
  const dir = tempDir('tlog-finish');
  const logger = teacherLogger({ sink: { dir, gzip: false, checkIntervalMs: 0 }, when: 'finish', isSampled: () => true });
  const app = express();
  app.post('/search', logger, (_req, res) => {
    res.locals.search = { context: { a: 1 }, candidates: [{ item_id: 'x', rankScore: 2 }] };
    res.json({ ok: true });
  });
  await request(app).post('/search').set('X-Request-Id', 'f1').expect(200);
  await logger.close();
  assert.deepEqual(logFiles(dir).flatMap(readLines).map((l) => JSON.parse(l)), [
    { request_id: 'f1', context: { a: 1 }, candidates: [{ item_id: 'x', features: {}, teacher_score: 2 }] },
  ]);
});
