// While a run is out, the host's event loop keeps polling (setImmediate turns) instead of sleeping, up to answerSpinUs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnswerPolling } from '../../src/serve/answer-polling.js';
import { turns } from '../helpers/event-loop.js';

test('the loop polls while a run is out and stops when its answer is in', async () => {
  let busy = true;
  const polling = new AnswerPolling(2000, () => busy, new Int32Array(1), () => 0);
  polling.posted();
  await turns(5);
  assert.equal(polling.polling, true, 'still polling: the run is out and the clock has not moved');
  busy = false;
  await turns(2);
  assert.equal(polling.polling, false, 'no run out: the loop may sleep again');
});

test('polling stops answerSpinUs after the latest post even while the run is still out (table clock)', async () => {
  let now = 0;
  let busy = true;
  const polling = new AnswerPolling(2000, () => busy, new Int32Array(1), () => now);
  try {
    polling.posted();
    now = 1.5;
    await turns(2);
    assert.equal(polling.polling, true, '1.5 ms after the post: still polling');
    polling.posted(); // a second run 1.5 ms in: polling runs to 3.5 ms
    now = 3;
    await turns(2);
    assert.equal(polling.polling, true, 'the latest post sets the bound');
    now = 3.6;
    await turns(2);
    assert.equal(polling.polling, false, 'past the bound: the loop sleeps until the answer wakes it');
  } finally {
    busy = false; // ends the turns even when an assertion failed
  }
});

test('answerSpinUs 0 never polls', async () => {
  const polling = new AnswerPolling(0, () => true, new Int32Array(1), () => 0);
  polling.posted();
  assert.equal(polling.polling, false);
});

test('the listening cell is 1 while the loop polls; once it is back to 0 the answers are looked at once more (table clock)', async () => {
  let now = 0;
  const cell = new Int32Array(1);
  const seen: number[] = []; // the cell's value at each look
  const polling = new AnswerPolling(2000, () => (seen.push(cell[0]), true), cell, () => now);
  polling.posted();
  assert.equal(cell[0], 1, 'workers answering in shared memory need post no notice');
  await turns(2);
  now = 2.5; // past the bound with the run still out
  await turns(2);
  assert.equal(polling.polling, false);
  assert.equal(cell[0], 0, 'workers post a notice again');
  assert.ok(seen.includes(1));
  assert.equal(seen.at(-1), 0, 'an answer written while the cell was still 1 (so with no notice) is taken by the last look');
});
