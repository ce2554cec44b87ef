// The model is opened once per worker: serving loads artifacts with checkOnnx off and checks the session each worker opens.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hasCode } from '../../src/schema/errors.js';
import type { PreRanker } from '../../src/serve/types.js';
import { testPreRanker, writeTestArtifacts } from '../helpers/serve-app.js';
import type { TestArtifacts } from '../helpers/serve-app.js';
import { writeMismatchedArtifact } from '../helpers/serve-models.js';

let paths: TestArtifacts;
let mismatched: string;
const open: PreRanker[] = [];
before(async () => {
  paths = await writeTestArtifacts();
  mismatched = join(paths.root, 'mismatched');
  await writeMismatchedArtifact(mismatched);
});
after(() => Promise.all(open.map((p) => p.close())));

test('a card whose inputs model.onnx lacks is refused with ERR_AUTOFAS_MODEL_SCHEMA, at start-up and on reload', async () => {
  const schema = (err: unknown) => hasCode(err, 'ERR_AUTOFAS_MODEL_SCHEMA') && /no input "item_price"/.test((err as Error).message);
  await assert.rejects(testPreRanker({ ...paths, model: mismatched }), schema);
  const preRanker = await testPreRanker(paths, { workers: 2 });
  open.push(preRanker);
  const before = preRanker.models().model?.modelId;
  await assert.rejects(preRanker.reload(mismatched), schema);
  assert.equal(preRanker.models().model?.modelId, before, 'the old model keeps serving');
});
