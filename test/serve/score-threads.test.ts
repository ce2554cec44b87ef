// The scoring threads: a crashed thread fails its run and is replaced, close() finishes runs in flight, destroy() does
// not, idle threads never keep the host's process alive, and answers taken by polling are neither lost nor doubled.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadArtifact } from '../../src/schema/artifact.js';
import { FeaturePlan } from '../../src/serve/feature-plan.js';
import type { ScoreTask } from '../../src/serve/score-worker.js';
import { SLOT_ROWS } from '../../src/serve/answer-slots.js';
import { ANSWER_SLOTS } from '../../src/serve/score-thread.js';
import { ScoreThreads } from '../../src/serve/score-threads.js';
import type { ScoreThreadsOptions } from '../../src/serve/score-threads.js';
import { writeTestArtifacts } from '../helpers/serve-app.js';
import { turn, until } from '../helpers/event-loop.js';

const ROWS = 50;

async function modelTask(): Promise<(rows?: number) => ScoreTask> {
  const artifact = await loadArtifact((await writeTestArtifacts()).model);
  const plan = new FeaturePlan(artifact.card, { storeFromCandidates: true, rowCache: { max: 0 } });
  const bytes = new Uint8Array(new SharedArrayBuffer(artifact.modelBytes.byteLength));
  bytes.set(artifact.modelBytes);
  const model = { gen: 1, bytes, scoreOutput: artifact.card.outputs.score, layout: plan.layout };
  return (rows = ROWS) => {
    const encoding = plan.newEncoding(rows);
    plan.encodeContext(encoding, {});
    plan.encodeDefaults(encoding);
    return { buffer: encoding.batch.buffer, rows, model };
  };
}

const threads = () => new ScoreThreads({ workers: 1, intraOpThreads: 1, spinUs: 0, answerSpinUs: 0, floor: new Int32Array(new SharedArrayBuffer(4)) });

test('a thread that dies fails its run with the reason, and the next run is served by its replacement', async () => {
  const task = await modelTask();
  const pool = threads();
  try {
    await assert.rejects(pool.run({ ...task(), exitCode: 3 }), /exited with code 3/);
    assert.equal(pool.threads, 0, 'not restarted before a run needs it (a worker that cannot start must not respawn in a loop)');
    const result = await pool.run(task());
    assert.equal(pool.threads, 1);
    assert.equal(result.scores.length, ROWS);
  } finally {
    await pool.destroy();
  }
});

test('close() lets the runs in flight finish, then refuses new ones; destroy() fails them', async () => {
  const task = await modelTask();
  const closing = threads();
  // close() and destroy() are called in the same turn as run(): the run is still in flight whatever the machine's speed.
  const inFlight = closing.run(task());
  const closed = closing.close();
  assert.equal((await inFlight).scores.length, ROWS);
  await closed;
  await assert.rejects(closing.run(task()), { code: 'ERR_AUTOFAS_CLOSED' });
  const destroyed = threads();
  const cut = assert.rejects(destroyed.run(task()), { code: 'ERR_AUTOFAS_CLOSED' });
  await destroyed.destroy();
  await cut;
});

test('idle threads do not keep the process alive: a host that never closes the pool still exits', { timeout: 120_000 }, async (t) => {
  const script = join(tmpdir(), `autofas-idle-threads-${process.pid}.mjs`);
  const here = (p: string) => new URL(p, import.meta.url).href;
  await writeFile(script, `
    import { ScoreThreads } from ${JSON.stringify(here('../../src/serve/score-threads.js'))};
    const pool = new ScoreThreads({ workers: 2, intraOpThreads: 1, spinUs: 1000, answerSpinUs: 0, floor: new Int32Array(new SharedArrayBuffer(4)) });
    await pool.run({ buffer: new ArrayBuffer(0), rows: 0, model: { gen: 1, bytes: new Uint8Array(0), scoreOutput: 'score', layout: { feeds: [], contextWords: 0, rowWords: 0 } } }).catch(() => {});
    console.log('ran');
  `);
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  t.after(() => void (child.exitCode === null && child.signalCode === null && child.kill())); // only if the test failed by timing out
  const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(signal ?? c)));
  assert.equal(code, 0, 'the process exited by itself');
  assert.match(out, /ran/);
});

for (const [spinUs, answerSpinUs] of [[1000, 2000], [0, 0]]) {
  test(`every run gets its own answer once, polled off the port or by its message event (workerSpinUs ${spinUs}, answerSpinUs ${answerSpinUs})`, async () => {
    const task = await modelTask();
    const pool = new ScoreThreads({ workers: 2, intraOpThreads: 1, spinUs, answerSpinUs, floor: new Int32Array(new SharedArrayBuffer(4)) });
    try {
      // Each run has its own row count, so a run handed another run's answer would show it.
      const sizes = Array.from({ length: 60 }, (_, i) => 1 + i);
      const together = await Promise.all(sizes.map((rows) => pool.run(task(rows))));
      assert.deepEqual(together.map((r) => r.scores.length), sizes);
      for (const rows of [3, 7, 11]) assert.equal((await pool.run(task(rows))).scores.length, rows, 'one at a time');
    } finally {
      await pool.destroy();
    }
  });
}

/** Waits until `done()` holds; fails after a bound on event-loop turns, not on time. */
/**
 * Runs `body` on a one-worker pool whose sleeps never end on their own (sleepSliceMs 0: a wake-up that is not sent
 * is never made up for), destroyed afterwards.
 */
async function withPool(options: Partial<ScoreThreadsOptions>, body: (pool: ScoreThreads, task: (rows?: number) => ScoreTask) => Promise<void>): Promise<void> {
  const task = await modelTask();
  const pool = new ScoreThreads({ workers: 1, intraOpThreads: 1, spinUs: 0, answerSpinUs: 0, floor: new Int32Array(new SharedArrayBuffer(4)), sleepSliceMs: 0, ...options });
  try {
    await body(pool, task);
  } finally {
    await pool.destroy();
  }
}

test('a run posted to a sleeping worker wakes it: the post notifies, the worker does not wait out its sleep', () =>
  // Sleeps never end on their own: a post that did not wake the worker would never be answered.
  withPool({}, async (pool, task) => {
    for (let i = 1; i <= 5; i++) {
      await until('asleep after its run', () => pool.awakeThreads === 0);
      let answered = 0;
      void pool.run(task(i)).then((r) => (answered = r.scores.length));
      await until(`answered run ${i}`, () => answered > 0);
      assert.equal(answered, i);
    }
  }));

test('a nudge wakes a sleeping worker ahead of its run; nudges never take the place of a run', () =>
  // workerSpinUs 1, so runs never come close enough for polling: a worker sleeps as soon as it has answered.
  withPool({ spinUs: 1 }, async (pool, task) => {
    assert.equal((await pool.run(task(5))).scores.length, 5);
    await until('asleep after its run', () => pool.awakeThreads === 0);
    const wakeUps = pool.wakeUps;
    pool.runComing();
    await until('woken by the nudge', () => pool.wakeUps > wakeUps);
    assert.equal((await pool.run(task(6))).scores.length, 6, 'the run after a nudge');
    // Nudges with no run after them, and nudges between runs, are skipped by the worker.
    const sizes: number[] = [];
    const runs: Promise<number>[] = [];
    for (let i = 1; i <= 20; i++) {
      pool.runComing();
      if (i % 3 === 0) await turn(); // some nudges reach the worker alone
      sizes.push(i);
      runs.push(pool.run(task(i)).then((r) => r.scores.length));
    }
    assert.deepEqual(await Promise.all(runs), sizes);
  }));

for (const answerSpinUs of [2000, 0]) {
  test(`runs are answered in shared memory (answerSpinUs ${answerSpinUs}); larger runs, errors and runs beyond the slots by message`, () =>
    withPool({ answerSpinUs }, async (pool, task) => {
      assert.equal((await pool.run(task(SLOT_ROWS + 1))).scores.length, SLOT_ROWS + 1);
      assert.equal(pool.slotAnswers, 0, 'a run larger than a slot is answered by message');
      // A run whose buffer is too small for its rows fails on the worker; its slot is freed, so more failures than
      // slots still leave every slot free.
      for (let i = 0; i < ANSWER_SLOTS + 2; i++) await assert.rejects(pool.run({ ...task(5), rows: 500 }));
      const one = await pool.run(task(7));
      assert.equal(one.scores.length, 7);
      assert.ok(one.answerDelayMs !== undefined && one.runMs > 0);
      assert.equal(pool.slotAnswers, 1, 'answered in its slot after the failures');
      // Posted in one go, three times as many runs as slots, the first stalled so none is answered meanwhile: the first
      // ANSWER_SLOTS are answered in slots, the rest by message.
      const sizes = Array.from({ length: 3 * ANSWER_SLOTS }, (_, i) => i + 1);
      const answers = await Promise.all(sizes.map((rows) => pool.run(rows === 1 ? { ...task(rows), stallMs: 500 } : task(rows))));
      assert.deepEqual(answers.map((a) => a.scores.length), sizes);
      assert.equal(pool.slotAnswers, 1 + ANSWER_SLOTS);
      const direct = answers.at(-1)?.scores[0];
      for (const a of answers) for (const x of a.scores) assert.equal(x, direct, 'the same rows score the same by either way');
    }));
}

test('answers written in shared memory are taken when the next run is announced, before the loop turns', () =>
  // The loop polls (so workers post no notice); spinUs 0, so runComing only takes answers and wakes no one.
  withPool({ answerSpinUs: 10_000_000 }, async (pool, task) => {
    await pool.run(task(5));
    const before = pool.slotAnswers;
    const answer = pool.run(task(6));
    answer.catch(() => undefined); // on failure below, destroy() rejects it
    // No event-loop turn from here until the answer is taken: only runComing looks (a bound on calls, not on time).
    for (let calls = 0; pool.slotAnswers === before; calls++) {
      if (calls > 100_000_000) assert.fail('never taken when a run was announced');
      pool.runComing();
    }
    assert.equal((await answer).scores.length, 6);
  }));
