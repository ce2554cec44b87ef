// Other gateway shapes fit through getContext / getCandidates / setCandidates / getUnitId; next() is called exactly once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import express from 'express';
import type { Request } from 'express';
import request from 'supertest';
import type { Candidate, PreRanker } from '../../src/serve/types.js';
import { testCandidates, testContext } from '../helpers/serve-models.js';
import { testPreRanker, writeTestArtifacts } from '../helpers/serve-app.js';

let preRanker: PreRanker;
const units: string[] = [];
before(async () => {
  const paths = await writeTestArtifacts();
  preRanker = await testPreRanker(paths, {
    k: 5,
    getContext: (req: Request) => (req.body as { user: unknown }).user,
    getCandidates: (_req, res) => res.locals.hits,
    setCandidates: (_req, res, kept) => void (res.locals.hits = kept),
    getUnitId: (req: Request) => String((req.body as { session: unknown }).session),
    flags: { evaluate: async (unit) => (units.push(unit), { enabled: true, arm: 'autofas', shadow: false, teacherLogRate: 0 }) },
  });
});
after(() => preRanker.close());

test('a gateway keeping candidates in res.locals.hits and the context in the body is pre-ranked', async () => {
  const app = express();
  app.use(express.json());
  let nexts = 0;
  app.post('/s', (_req, res, next) => ((res.locals.hits = testCandidates(40)), next()), preRanker, (_req, res) => {
    nexts++;
    res.json({ ids: (res.locals.hits as Candidate[]).map((c) => c.item_id), path: res.locals.preRank?.path });
  });
  const res = await request(app).post('/s').send({ user: testContext(), session: 's-42' });
  assert.equal(res.body.path, 'model');
  assert.equal(res.body.ids.length, 5);
  assert.deepEqual(units, ['s-42']);
  assert.equal(nexts, 1);
});
