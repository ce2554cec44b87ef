// Admin router: health and cards, POST /reload behind a constant-time bearer token, disabled without one, confined to modelsRoot.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import express from 'express';
import request from 'supertest';
import { Counter, Registry } from 'prom-client';
import { loadArtifact } from '../../src/schema/artifact.js';
import { preRankAdmin } from '../../src/serve/admin.js';
import { writeScorerArtifact } from '../helpers/serve-models.js';
import { fakePreRanker, tempDir } from './ops-helpers.js';

const TOKEN = 'correct-horse-battery-staple';

async function setup(options: Parameters<typeof preRankAdmin>[1] = {}, ready = true) {
  const root = tempDir('admin-root');
  await writeScorerArtifact(join(root, 'm1'), 1);
  const preRanker = fakePreRanker(async (dir) => (await loadArtifact(dir)).card, ready);
  const app = express().use('/admin', preRankAdmin(preRanker, { token: TOKEN, modelsRoot: root, ...options }));
  return { root, preRanker, app };
}

const reload = (app: express.Express, dir: string, auth: string | null = `Bearer ${TOKEN}`) => {
  const r = request(app).post('/admin/reload').send({ dir });
  return auth === null ? r : r.set('Authorization', auth);
};

test('POST /reload with the right token loads the artifact; wrong, missing or malformed tokens get 401', async () => {
  const { app, preRanker, root } = await setup();
  for (const auth of [null, 'Bearer nope', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer', `bearer  ${TOKEN} extra`]) {
    const res = await reload(app, 'm1', auth).expect(401);
    assert.equal(res.body.error.code, 'ERR_AUTOFAS_ADMIN_AUTH');
    assert.match(res.get('WWW-Authenticate') ?? '', /^Bearer/);
  }
  assert.deepEqual(preRanker.reloads, []);
  const ok = await reload(app, 'm1').expect(200);
  assert.match(ok.body.modelId, /^autofas-[0-9a-f]{16}$/);
  assert.deepEqual(preRanker.reloads, [join(root, 'm1')]);
  const model = await request(app).get('/admin/model').expect(200);
  assert.equal(model.body.model.modelId, ok.body.modelId);
});

test('with no token (or no modelsRoot) configured, reload is disabled even for a request carrying a token', async () => {
  const root = tempDir('admin-off');
  const preRanker = fakePreRanker(async () => assert.fail('must not reload'));
  for (const options of [{ modelsRoot: root }, { token: TOKEN }]) {
    const app = express().use('/admin', preRankAdmin(preRanker, options));
    const res = await reload(app, 'm1').expect(403);
    assert.equal(res.body.error.code, 'ERR_AUTOFAS_ADMIN_DISABLED');
  }
  assert.throws(() => preRankAdmin(preRanker, { token: 'short' }), { code: 'ERR_AUTOFAS_OPTION' });
  assert.throws(() => preRankAdmin(preRanker, { watch: true }), { code: 'ERR_AUTOFAS_OPTION' });
});

test('paths that escape the models root are refused, symlinks included; missing dirs and bad bodies too', async () => {
  const { app, preRanker, root } = await setup();
  const outside = tempDir('admin-outside');
  await writeScorerArtifact(join(outside, 'evil'), 2);
  symlinkSync(join(outside, 'evil'), join(root, 'link'));
  mkdirSync(join(root, 'sub'));
  for (const dir of ['../', `../${outside}`, join(outside, 'evil'), 'link', '.', 'sub/../..', '/etc']) {
    const res = await reload(app, dir);
    assert.ok(res.status === 400 || res.status === 422, `${dir}: ${res.status}`);
    assert.ok(['ERR_AUTOFAS_ADMIN_PATH', 'ERR_AUTOFAS_MODEL_FILES'].includes(res.body.error.code), dir);
  }
  assert.equal((await reload(app, 'link')).body.error.code, 'ERR_AUTOFAS_ADMIN_PATH');
  assert.equal((await reload(app, join(outside, 'evil'))).body.error.code, 'ERR_AUTOFAS_ADMIN_PATH');
  assert.equal((await reload(app, 'nope')).body.error.code, 'ERR_AUTOFAS_MODEL_FILES');
  assert.equal((await request(app).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).send({ dir: 5 })).status, 400);
  assert.deepEqual(preRanker.reloads, [], 'nothing outside the root was ever handed to reload');
  await reload(app, join(root, 'm1')).expect(200);
});

test('a refused reload answers 422 with the loader code', async () => {
  const { app, root } = await setup();
  mkdirSync(join(root, 'empty'));
  const res = await reload(app, 'empty').expect(422);
  assert.equal(res.body.error.code, 'ERR_AUTOFAS_MODEL_FILES');
});

test('GET /healthz follows ready(); GET /metrics serves the configured registry, 404 without one', async () => {
  const registry = new Registry();
  new Counter({ name: 'admin_test_marker_total', help: 'marker', registers: [registry] }).inc(3);
  const { app } = await setup({ metrics: registry });
  await request(app).get('/admin/healthz').expect(200, { status: 'ok', modelId: null });
  const { app: down } = await setup({}, false);
  await request(down).get('/admin/healthz').expect(503);
  await request(down).get('/admin/metrics').expect(404);
  const m = await request(app).get('/admin/metrics').expect(200);
  assert.match(m.get('Content-Type') ?? '', /text\/plain/);
  assert.match(m.text, /^admin_test_marker_total 3$/m, 'the configured registry is the one served');
});
