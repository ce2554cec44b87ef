// Feature matrices cross to the worker by transfer (their buffers are detached on the main thread), scores come back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadArtifact } from '../../src/schema/artifact.js';
import { encodeContext, encodeItems } from '../../src/serve/feature-plan.js';
import { ModelPool } from '../../src/serve/model-pool.js';
import { testCandidates, testContext } from '../helpers/serve-models.js';
import { writeTestArtifacts } from '../helpers/serve-app.js';

test('one run per request: the feeds are transferred, not copied, and one score per candidate comes back', async () => {
  const paths = await writeTestArtifacts();
  const pool = await ModelPool.open(await loadArtifact(paths.model), { workers: 1, threadsPerWorker: 1 });
  try {
    const feeds = [...encodeContext(pool.plan, testContext()), ...encodeItems(pool.plan, testCandidates(300), 300, null)];
    assert.ok(feeds.every((f) => f.data.byteLength > 0));
    const result = await pool.run(feeds, 300);
    assert.ok(feeds.every((f) => f.data.byteLength === 0), 'every feed buffer was detached by the transfer');
    assert.equal(result.scores.length, 300);
    assert.ok(result.scores.every(Number.isFinite));
  } finally {
    await pool.release();
  }
});
