// Two searches with one seed give the same model bytes (ORT on one thread is deterministic).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSearch } from '../../src/search/search/run-search.js';
import { fixtureDataset } from './search-helpers.js';

test('same seed, same model.onnx bytes and same derived architecture', async () => {
  const dataset = await fixtureDataset();
  const options = { lambda2: 0.2, epochs: 2, retrainEpochs: 1, widths: [64, 32], seed: 9, threads: 1 };
  const a = await runSearch(dataset, options);
  const b = await runSearch(dataset, options);
  assert.deepEqual(a.derived.architecture, b.derived.architecture);
  assert.equal(a.card.modelId, b.card.modelId);
  assert.deepEqual(Buffer.from(a.modelBytes), Buffer.from(b.modelBytes));
});
