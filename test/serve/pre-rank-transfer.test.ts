// All feeds of a request cross to the worker in one transferred buffer (detached on the main thread), scores come back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadArtifact } from '../../src/schema/artifact.js';
import { ModelPool } from '../../src/serve/model-pool.js';
import { testCandidates, testContext } from '../helpers/serve-models.js';
import { writeTestArtifacts } from '../helpers/serve-app.js';

test('one run per request: the one feed buffer is transferred, not copied, and one score per candidate comes back', async () => {
  const paths = await writeTestArtifacts();
  const plan = { storeFromCandidates: true, rowCache: { max: 0 } };
  const pool = await ModelPool.open(await loadArtifact(paths.model), { workers: 1, threadsPerWorker: 1, spinUs: 0, answerSpinUs: 0, plan });
  try {
    const encoding = pool.plan.newEncoding(300);
    pool.plan.encodeContext(encoding, testContext());
    pool.plan.encodeCandidates(encoding, testCandidates(300));
    assert.ok(encoding.batch.buffer.byteLength > 0);
    const result = await pool.run(encoding.batch);
    assert.equal(encoding.batch.buffer.byteLength, 0, 'the buffer was detached by the transfer');
    assert.equal(result.scores.length, 300);
    assert.ok(result.scores.every(Number.isFinite));
  } finally {
    await pool.release();
  }
});
