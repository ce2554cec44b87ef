// POST /reload of a corrupt artifact is refused with a coded 422 while the old model keeps serving.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import request from 'supertest';
import { CARD_FILE, MODEL_FILE, sha256Hex } from '../../src/schema/artifact.js';
import { makeModelId } from '../../src/schema/model-card.js';
import { preRankAdmin } from '../../src/serve/admin.js';
import { testApp, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';

const TOKEN = 'reload-token-0123456789';

test('corrupt artifacts are refused, the active model and its scores stay as they were', async () => {
  const paths = await writeTestArtifacts();
  const preRanker = await testPreRanker(paths);
  after(() => preRanker.close());
  const app = testApp(preRanker).use('/admin', preRankAdmin(preRanker, { token: TOKEN, modelsRoot: paths.root }));
  const activeId = preRanker.models().model?.modelId;
  const before = await request(app).post('/search').send(testSearch(50)).expect(200);
  assert.equal(before.body.preRank.path, 'model');

  // 1: model.onnx replaced by garbage (card hash no longer matches); 2: garbage whose card claims its hash;
  // 3: a card that is not JSON; 4: model.onnx missing.
  const bad = ['hash', 'onnx', 'card', 'missing'].map((name) => join(paths.root, `bad-${name}`));
  for (const dir of bad) cpSync(paths.model2, dir, { recursive: true });
  writeFileSync(join(bad[0], MODEL_FILE), 'not a model');
  const garbage = new Uint8Array(64).fill(7);
  const card = JSON.parse(readFileSync(join(bad[1], CARD_FILE), 'utf8'));
  writeFileSync(join(bad[1], MODEL_FILE), garbage);
  writeFileSync(join(bad[1], CARD_FILE), JSON.stringify({ ...card, modelId: makeModelId('autofas', sha256Hex(garbage)) }));
  writeFileSync(join(bad[2], CARD_FILE), '{"version": 1,');
  mkdirSync(join(paths.root, 'bad-missing-2'));
  const expected = ['ERR_AUTOFAS_MODEL_FILES', 'ERR_AUTOFAS_MODEL_FILES', 'ERR_AUTOFAS_MODEL_CARD', 'ERR_AUTOFAS_MODEL_FILES'];
  const dirs = [bad[0], bad[1], bad[2], join(paths.root, 'bad-missing-2')];
  for (let i = 0; i < dirs.length; i++) {
    const res = await request(app).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).send({ dir: dirs[i] }).expect(422);
    assert.equal(res.body.error.code, expected[i], dirs[i]);
    assert.equal(preRanker.models().model?.modelId, activeId);
    assert.equal(preRanker.ready(), true);
    const during = await request(app).post('/search').send(testSearch(50)).expect(200);
    assert.equal(during.body.preRank.path, 'model');
    assert.equal(during.body.preRank.modelId, activeId);
    assert.deepEqual(during.body.ids, before.body.ids, 'same model, same ranking');
  }
  const model = await request(app).get('/admin/model').expect(200);
  assert.equal(model.body.model.modelId, activeId);
  await request(app).get('/admin/healthz').expect(200);
  // A good artifact is still accepted afterwards.
  const ok = await request(app).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).send({ dir: 'model2' }).expect(200);
  assert.notEqual(ok.body.modelId, activeId);
});
