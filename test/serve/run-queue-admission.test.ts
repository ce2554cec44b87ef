// The run queue admits from the deadline: refused at once when the expected wait and run exceed the time left (table clock).
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { RunQueue } from '../../src/serve/run-queue.js';

const overload = (cause: string) => (err: { code?: string; details?: { cause?: string } }) => err.code === 'ERR_AUTOFAS_OVERLOAD' && err.details?.cause === cause;

test('the expected wait comes from the run-time average; a request that cannot get a worker in its time left is refused at once', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] }); // waiters' timers run on the table clock only, never on a slow machine's
  let now = 0;
  const queue = new RunQueue({ slots: 1, maxQueue: 4, now: () => now });
  const first = await queue.acquire(30);
  now = 20;
  first(); // one run of 20 ms: the average is 20 ms
  assert.equal(queue.runMs, 20);
  const holder = await queue.acquire(10); // a free slot admits even when the average run outlasts the time left
  assert.equal(queue.expectedWaitMs(), 20);
  await assert.rejects(queue.acquire(15), overload('deadline'), 'wait 20 > 15 left');
  assert.equal(queue.waiting, 0, 'a refused request never queues');
  const granted = queue.acquire(50);
  assert.equal(queue.waiting, 1);
  now = 30;
  holder();
  (await granted)();
  // The holder ran 10 ms (20 -> 18), the waiter 0 ms (18 -> 14.4): newer runs weigh 0.2.
  assert.ok(Math.abs(queue.runMs - 14.4) < 1e-9, String(queue.runMs));
});

test('queue full is refused at once; a waiter whose time runs out leaves the queue with ERR_AUTOFAS_OVERLOAD', async () => {
  const queue = new RunQueue({ slots: 1, maxQueue: 1, now: () => 0 });
  const holder = await queue.acquire(100);
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const waiter = queue.acquire(100);
    await assert.rejects(queue.acquire(100), overload('queue-full'));
    mock.timers.tick(100);
    await assert.rejects(waiter, overload('queue-wait'));
    assert.equal(queue.waiting, 0);
  } finally {
    mock.timers.reset();
  }
  holder();
  (await queue.acquire(100))();
});

test('a waiter granted a worker with less time left than an average run is shed, and the slot goes to the next', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let now = 0;
  const queue = new RunQueue({ slots: 1, maxQueue: 4, now: () => now });
  const first = await queue.acquire(100);
  now = 20;
  first(); // average run 20 ms
  const holder = await queue.acquire(100);
  const late = queue.acquire(30); // ends at 50
  const early = queue.acquire(100); // ends at 120
  now = 40; // 10 ms left for `late`, under the 20 ms average
  holder();
  await assert.rejects(late, overload('queue-wait'));
  (await early)();
  assert.equal(queue.waiting, 0);
});

test('with several runs per worker, the wait counts the runs ahead beyond the workers at the workers\' own run time', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let now = 0;
  const queue = new RunQueue({ slots: 4, workers: 1, maxQueue: 4, now: () => now });
  const runs = [await queue.acquire(100)];
  now = 50; // the main thread picked the answer up late: 50 ms of wall time, 2 ms on the worker
  runs.pop()?.(2);
  assert.equal(queue.runMs, 2, 'the worker-reported time, not the wall time, feeds the average');
  assert.equal(queue.expectedWaitMs(), 0, 'an idle worker: no wait');
  runs.push(await queue.acquire(100), await queue.acquire(100), await queue.acquire(100));
  assert.equal(queue.expectedWaitMs(), 6, 'three runs ahead of the next on one worker, 2 ms each');
  await assert.rejects(queue.acquire(5), overload('deadline'), 'a 6 ms wait does not fit in 5 ms');
  (await queue.acquire(7))(2);
});

test('answers picked up late shed requests (cause loop-lag); a probe keeps measuring the loop, so admission resumes only once it catches up', async () => {
  let now = 0;
  const deferred: (() => void)[] = [];
  const queue = new RunQueue({ slots: 2, maxQueue: 4, now: () => now, defer: (callback) => void deferred.push(callback) });
  for (let i = 0; i < 10; i++) {
    const release = await queue.acquire(100);
    now += 1;
    release(0.3, i < 4 ? 2 : 45); // four answers picked up 2 ms late, six 45 ms late
  }
  assert.equal(queue.answerDelayMs, 45, 'the 75th percentile of the recent answer delays');
  (await queue.acquire(50))(); // 45 ms late still fits in 50 ms left
  await assert.rejects(queue.acquire(40), overload('loop-lag'));
  await assert.rejects(queue.acquire(40), overload('loop-lag'));
  assert.equal(deferred.length, 1, 'one probe at a time');
  // The loop stays saturated: each probe waits 45 ms, so the answers ageing out of the window do not reopen admission.
  for (let i = 0; i < 30; i++) {
    now += 45;
    deferred.shift()?.();
    await assert.rejects(queue.acquire(40), overload('loop-lag'));
  }
  assert.ok(now > 1000, 'every answer sample has aged out');
  // The loop catches up: probes run at once, and admission resumes.
  let admitted = false;
  for (let i = 0; i < 64 && !admitted && deferred.length > 0; i++) {
    now += 0.5;
    deferred.shift()?.();
    const release = await queue.acquire(40).catch(() => null);
    if (release) (admitted = true), release();
  }
  assert.ok(admitted, `admission resumed (delay estimate ${queue.answerDelayMs} ms)`);
});
