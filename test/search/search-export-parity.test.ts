// The exported model (context part computed once per request) scores exactly like the trainer's forward pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSession } from '../../src/graph/runtime.js';
import { requestFeeds } from '../../src/search/evaluate/feeds.js';
import { mlpScores } from '../../src/search/retrain/mlp-train.js';
import { runSearch } from '../../src/search/search/run-search.js';
import { fixtureDataset } from './search-helpers.js';

test('model.onnx scores equal the trainer forward on the same rows (max abs diff <= 1e-5)', async () => {
  const dataset = await fixtureDataset();
  const result = await runSearch(dataset, { lambda2: 0.01, epochs: 2, retrainEpochs: 1, widths: [64, 32], seed: 4 });
  const test = result.splits.test;
  const trainer = await mlpScores(result.mlp, test, 1);
  const session = await createSession(result.modelBytes);
  let maxDiff = 0;
  for (let r = 0; r < test.requests; r++) {
    const out = await session.run(requestFeeds(result.card, test, r));
    const scores = out[result.card.outputs.score].data as Float32Array;
    const start = test.requestOffsets[r];
    assert.equal(scores.length, test.requestOffsets[r + 1] - start);
    for (let i = 0; i < scores.length; i++) maxDiff = Math.max(maxDiff, Math.abs(scores[i] - trainer[start + i]));
  }
  await session.dispose();
  assert.ok(maxDiff <= 1e-5, `max abs diff ${maxDiff}`);
  // Context inputs have batch 1 in the exported model: computed once per request.
  for (const input of result.card.inputs) assert.equal(input.dims[0], input.feature.side === 'context' ? 1 : 'N');
});
