// A scoring worker polls for the next task only while tasks lately came closer together than workerSpinUs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pollMs } from '../../src/serve/worker-polling.js';

test('a worker polls a little longer than the usual gap between tasks, up to workerSpinUs, and not at all when tasks come further apart', () => {
  assert.equal(pollMs(1000, undefined), 1, 'before any gap is known: workerSpinUs');
  assert.equal(pollMs(1000, 0.25), 0.5, 'tasks 0.25 ms apart: poll twice that');
  assert.equal(pollMs(1000, 0.8), 1, 'capped at workerSpinUs');
  assert.equal(pollMs(1000, 1.8), 0, 'tasks 1.8 ms apart: sleep at once');
  assert.equal(pollMs(0, 0.1), 0, 'workerSpinUs 0: never poll');
});
