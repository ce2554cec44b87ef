// reload(dir) validates and warms a new model, swaps it atomically, drains the old one; a bad artifact is refused.
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hasCode } from '../../src/schema/errors.js';
import type { ScoreResult } from '../../src/serve/score-worker.js';
import type { PreRanker } from '../../src/serve/types.js';
import { collect, runOnce, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import type { TestArtifacts } from '../helpers/serve-app.js';

let paths: TestArtifacts;
let preRanker: PreRanker;
let release: (() => void) | null = null;
let hold = false;

before(async () => {
  paths = await writeTestArtifacts();
  preRanker = await testPreRanker(paths, { timeoutMs: 60_000 }, {
    runModel: async (pool, feeds, rows): Promise<ScoreResult> => {
      if (hold) await new Promise<void>((resolve) => (release = resolve));
      return pool.run(feeds, rows);
    },
  });
});
after(() => preRanker.close());

test('a good artifact is swapped in while a request in flight finishes on the old model', async () => {
  const oldId = preRanker.models().model?.modelId;
  const { getPool } = await import('../helpers/serve-internals.js');
  const oldPool = getPool(preRanker);
  hold = true;
  const inFlight = runOnce(preRanker, testSearch(100));
  while (!release) await new Promise((r) => setImmediate(r));
  hold = false;
  const reloads = collect(preRanker, 'reload');
  const card = await preRanker.reload(paths.model2);
  assert.notEqual(card.modelId, oldId);
  assert.equal(preRanker.models().model?.modelId, card.modelId);
  assert.equal(oldPool.released, false, 'the old pool waits for its request in flight');
  release();
  const first = await inFlight;
  assert.equal(first.preRank.path, 'model');
  assert.equal(first.preRank.modelId, oldId, 'the in-flight request was scored by the old model');
  assert.equal(oldPool.released, true, 'then the old pool is released');
  const second = await runOnce(preRanker, testSearch(100));
  assert.equal(second.preRank.modelId, card.modelId);
  assert.deepEqual(reloads, [{ ok: true, modelId: card.modelId }]);
});

test('a corrupt artifact is refused with its code and the old model keeps serving', async () => {
  const bad = join(paths.root, 'corrupt');
  cpSync(paths.model, bad, { recursive: true });
  writeFileSync(join(bad, 'model.onnx'), 'not onnx');
  const serving = preRanker.models().model?.modelId;
  const reloads = collect(preRanker, 'reload');
  await assert.rejects(preRanker.reload(bad), (err) => hasCode(err, 'ERR_AUTOFAS_MODEL_FILES'));
  await assert.rejects(preRanker.reload(join(paths.root, 'missing')), (err) => hasCode(err, 'ERR_AUTOFAS_MODEL_FILES'));
  assert.equal(reloads[0].ok, false);
  assert.equal(reloads[0].code, 'ERR_AUTOFAS_MODEL_FILES');
  assert.equal(preRanker.models().model?.modelId, serving);
  const { preRank } = await runOnce(preRanker, testSearch(50));
  assert.equal(preRank.path, 'model');
  assert.equal(preRank.modelId, serving);
});

test('a card that does not match its ONNX file is refused with ERR_AUTOFAS_MODEL_FILES', async () => {
  const mixed = join(paths.root, 'mixed');
  cpSync(paths.model, mixed, { recursive: true });
  cpSync(join(paths.baseline, 'model.onnx'), join(mixed, 'model.onnx'));
  await assert.rejects(preRanker.reload(mixed), (err) => hasCode(err, 'ERR_AUTOFAS_MODEL_FILES'));
});

test('a bad artifact at start-up rejects createPreRanker with a coded error', async () => {
  await assert.rejects(testPreRanker({ ...paths, model: join(paths.root, 'missing') }), (err) => hasCode(err, 'ERR_AUTOFAS_MODEL_FILES'));
  await assert.rejects(testPreRanker({ ...paths, baseline: paths.model }), (err) => hasCode(err, 'ERR_AUTOFAS_MODEL_SCHEMA'));
});

test('close() releases the pool; later requests pass through and reloads are refused', async () => {
  const other = await testPreRanker(paths);
  await other.close();
  assert.equal(other.ready(), false);
  const { preRank } = await runOnce(other, testSearch(20));
  assert.equal(preRank.path, 'passthrough');
  await assert.rejects(other.reload(paths.model2), (err) => hasCode(err, 'ERR_AUTOFAS_CLOSED'));
});

test('with featureSpec set, an artifact whose features disagree with the spec is refused at start-up', async () => {
  const { writeFileSync: write } = await import('node:fs');
  const { TEST_SPEC } = await import('../helpers/serve-models.js');
  const good = join(paths.root, 'features.json');
  const bad = join(paths.root, 'features-bad.json');
  write(good, JSON.stringify(TEST_SPEC));
  write(bad, JSON.stringify({ ...TEST_SPEC, features: TEST_SPEC.features.map((f) => (f.name === 'item_cat' ? { ...f, hashBuckets: 32 } : f)) }));
  const ok = await testPreRanker(paths, { featureSpec: good });
  await ok.close();
  await assert.rejects(testPreRanker(paths, { featureSpec: bad }), (err) => hasCode(err, 'ERR_AUTOFAS_MODEL_SCHEMA'));
});
