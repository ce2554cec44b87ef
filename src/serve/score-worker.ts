// Worker-thread side of the scoring pool: ONNX Runtime sessions by model generation, one run per task, scores moved back.
import { performance } from 'node:perf_hooks';
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { processClockMs } from '../util/process-clock.js';
import { movingAverage } from '../util/stats.js';
import { pollMs, WOKEN_POLL_MS } from './worker-polling.js';
import { checkSessionAgainstCard } from '../schema/artifact.js';
import type { ModelCard } from '../schema/model-card.js';
import { writeAnswer } from './answer-slots.js';
import type { AnswerSlotCells } from './answer-slots.js';
import { feedTensors } from './feed-tensors.js';
import { WorkerRows } from './row-gather.js';
import type { PrefetchMessage, RowGather } from './row-gather.js';
import type { FeedLayout } from './feed-layout.js';

/** What each worker is started with. [issue-7 edit] models arrive with the tasks, so workers survive reloads. */
export interface ScoreWorkerData {
  readonly intraOpThreads: number;
  /** Shared cell: the lowest model generation still in use (older sessions are released). */
  readonly floor: Int32Array;
  /** After a run, poll up to this long for the next task (see `posted`), while tasks come that close (waking a thread is slow). */
  readonly spinUs: number;
  /** Where tasks arrive and answers go. */
  readonly port: MessagePort;
  /**
   * Shared cell: tasks posted to this worker so far. The worker polls it (a plain memory read) and reads its port only
   * when it moved: polling the port itself would take the port's lock on every turn, and the host's post would then
   * wait on that lock.
   */
  readonly posted: Int32Array;
  /** Shared cell: answers posted by this worker so far (the host reads its port when it moved, see answer-polling.ts). */
  readonly answered: Int32Array;
  /** Shared cells: [0] 1 while the worker is awake (running or polling), 0 while it sleeps on `bell`; [1] wake-ups. */
  readonly awake: Int32Array;
  /**
   * Shared cell rung (incremented, then `Atomics.notify`) by the host after each post and to nudge the worker ahead of
   * one. A sleeping worker waits on it (`Atomics.wait`), so a wake-up is one futex call for the host, not a message,
   * and a ring between the worker's last look and its sleep makes the sleep return at once.
   */
  readonly bell: Int32Array;
  /** How long one sleep lasts before the worker's event loop turns once (0: until woken). */
  readonly sleepSliceMs: number;
  /** Where runs with a slot are answered, in shared memory instead of a message (see answer-slots.ts). */
  readonly answers: AnswerSlotCells;
  /**
   * Shared cell: 1 while the host's event loop polls for answers. A run answered in its slot while the host does not
   * poll is followed by a notice on the port, so the host looks.
   */
  readonly listening: Int32Array;
}

/** A model as tasks name it: its generation, its ONNX bytes (shared memory, not copied per task), its score output. */
export interface ModelRef {
  readonly gen: number;
  readonly bytes: Uint8Array;
  readonly scoreOutput: string;
  /** Where each feed lives in a task's buffer. */
  readonly layout: FeedLayout;
  /** The model's shared row cache, whose rows a task's slot list names (see row-gather.ts); null: tasks carry every row. */
  readonly gather?: RowGather | null;
}

/** One scoring task: every feed of one request in one buffer (transferred, not copied). */
export interface ScoreTask {
  readonly buffer: ArrayBuffer;
  readonly rows: number;
  readonly model: ModelRef;
  /** Warm-up only: check the session this worker opened against the card before running (the model is opened once). */
  readonly check?: { readonly card: ModelCard; readonly origin: string };
  /** Test and bench hook: block the worker this long before running (a stalled model). */
  readonly stallMs?: number;
  /** Test hook: the worker thread exits with this code instead of running (a crashed thread). */
  readonly exitCode?: number;
  /** The buffer's slot list names cached rows the worker copies in before the run (see row-gather.ts). */
  readonly gather?: true;
  /** The prefetch that sent this run's slot list ahead, if any (see `ScoreThreads.prefetch`). */
  readonly gatherId?: number;
}

/** A task's answer: one score per row and the time ORT spent in `run`; or what a checked session disagrees with. */
export interface ScoreResult {
  readonly scores: Float32Array;
  readonly runMs: number;
  /** The task's time on its worker (stall, tensors, run): what the model breaker judges, free of the main thread's lag. */
  readonly workerMs?: number;
  /** How long the answer waited for the main thread's event loop (set there, on arrival). */
  readonly answerDelayMs?: number;
  readonly problem?: string;
}

/**
 * A task as it travels to a worker: its model by generation, with the model itself only the first time a worker is
 * sent that generation (the worker keeps it).
 */
export interface ScoreMessage {
  readonly id: number;
  readonly task: Omit<ScoreTask, 'model'> & { readonly gen: number; readonly model?: ModelRef; readonly slot: number };
}
/**
 * The worker's answer to a task by message: a result, the error the run threw, or a notice that answers were written
 * in their slots (`notice`, sent only while the host does not poll).
 */
export interface ScoreReply {
  readonly id: number;
  readonly notice?: true;
  readonly result?: ScoreResult;
  readonly error?: { readonly message: string; readonly code?: string };
  /** When the worker posted it, on the process-wide clock (`performance.timeOrigin + performance.now()`). */
  readonly postedAt: number;
}

const data = workerData as ScoreWorkerData;
const sessions = new Map<number, Promise<ort.InferenceSession>>();
/** The models this worker was sent, by generation (dropped with their sessions), and their compiled row copies. */
const models = new Map<number, ModelRef>();
const cachedRows = new WorkerRows();
const stallCell = new Int32Array(new SharedArrayBuffer(4));

/** The session of a model generation (created on first use); sessions below the shared floor are released. */
function sessionFor(model: ModelRef): Promise<ort.InferenceSession> {
  const floor = Atomics.load(data.floor, 0);
  for (const [gen, old] of sessions) {
    if (gen >= floor || gen === model.gen) continue;
    sessions.delete(gen);
    models.delete(gen);
    cachedRows.drop(gen);
    void old.then((s) => s.release()).catch(() => undefined);
  }
  let session = sessions.get(model.gen);
  if (!session) {
    // ORT reads from an ArrayBuffer: one private copy of the shared bytes per session.
    session = ort.InferenceSession.create(new Uint8Array(model.bytes), {
      intraOpNumThreads: data.intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    sessions.set(model.gen, session);
    session.catch(() => sessions.delete(model.gen));
  }
  return session;
}

/** Runs the model once for all rows of a request. */
async function score(task: ScoreTask): Promise<ScoreResult> {
  const session = await sessionFor(task.model);
  if (task.check) {
    try {
      checkSessionAgainstCard(session, task.check.card, task.check.origin);
    } catch (err) {
      return { scores: new Float32Array(0), runMs: 0, problem: (err as Error).message }; // the code is set again on the main thread
    }
  }
  const taskStart = performance.now();
  if (task.exitCode !== undefined) process.exit(task.exitCode);
  if (task.stallMs) Atomics.wait(stallCell, 0, 0, task.stallMs);
  const gathered = task.gather ? cachedRows.columns(task.model.gen, task.buffer, task.rows, task.gatherId) : undefined;
  const feeds = feedTensors(task.model.layout, task.buffer, task.rows, gathered);
  const start = performance.now();
  let out: ort.InferenceSession.OnnxValueMapType;
  try {
    out = await session.run(feeds, [task.model.scoreOutput]);
  } finally {
    if (gathered) cachedRows.done(gathered.buffer); // ORT is done with the columns
  }
  const runMs = performance.now() - start;
  const tensor = out[task.model.scoreOutput];
  if (tensor.size !== task.rows) throw new Error(`score output has ${tensor.size} values for ${task.rows} candidates`);
  const values = tensor.data;
  // A view over exactly its buffer, so the copy to the host carries the scores and nothing else.
  const scores = values instanceof Float32Array && values.byteLength === values.buffer.byteLength ? values : Float32Array.from(values as ArrayLike<number>);
  return { scores, runMs, workerMs: performance.now() - taskStart };
}

/** The task with its model: sent along the first time, else the one this worker keeps for its generation. */
function withModel(task: ScoreMessage['task']): ScoreTask {
  if (task.model) {
    models.set(task.gen, task.model);
    cachedRows.add(task.gen, task.model.gather, task.model.layout);
  }
  const model = models.get(task.gen);
  if (!model) throw new Error(`the scoring worker was never sent model generation ${task.gen}`);
  return { ...task, model };
}

async function answer({ id, task }: ScoreMessage): Promise<void> {
  let reply: ScoreReply;
  try {
    const result = await score(withModel(task));
    const postedAt = processClockMs();
    if (!result.problem && writeAnswer(data.answers, task.slot, { scores: result.scores, runMs: result.runMs, workerMs: result.workerMs ?? 0, postedAt })) {
      if (Atomics.load(data.listening, 0) === 1) return; // the host is polling: it finds the answer in the slot
      reply = { id, notice: true, postedAt };
    } else {
      // The scores are copied, not transferred: moving the buffer ORT allocated made the worker's post slower than
      // copying its few kilobytes (a one-off timing of the post, outside bench/; the bench only sees the total).
      reply = { id, result, postedAt };
    }
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    const error = { message: (err as Error)?.message ?? String(err), ...(typeof code === 'string' ? { code } : {}) };
    reply = { id, error, postedAt: processClockMs() };
  }
  data.port.postMessage(reply);
  Atomics.add(data.answered, 0, 1); // after the post: a host that sees the count move finds the answer on its port
}

/** Weight of the newest gap in the moving average of the gaps between tasks. */
const GAP_WEIGHT = 0.2;
let gapMs: number | undefined;

/** Messages taken off the port so far: `data.posted` ahead of it means one is queued. */
let taken = 0;

/**
 * A queued task; undefined when none is queued, 'prefetched' when the message was a run's slot list sent ahead (its
 * rows are then copied at once, while the host encodes the rest of the run).
 */
function queuedTask(): ScoreMessage | 'prefetched' | undefined {
  if (Atomics.load(data.posted, 0) === taken) return undefined;
  const message = receiveMessageOnPort(data.port)?.message as ScoreMessage | PrefetchMessage | undefined;
  if (!message) return undefined;
  taken++;
  if (!('prefetch' in message)) return message;
  cachedRows.prefetch(message.prefetch);
  return 'prefetched';
}

/**
 * Sleeps until the host rings the bell (a post or a nudge): true when woken or a task is queued, false when the slice
 * ended (the event loop then turned once). The bell is read before the worker says it sleeps and the queue is looked
 * at after: a post the look misses rings after the read, so the wait returns at once or is notified.
 */
async function sleep(): Promise<boolean> {
  const rung = Atomics.load(data.bell, 0);
  Atomics.store(data.awake, 0, 0);
  const woke = Atomics.load(data.posted, 0) !== taken ? 'queued' : Atomics.wait(data.bell, 0, rung, data.sleepSliceMs > 0 ? data.sleepSliceMs : Infinity);
  Atomics.store(data.awake, 0, 1); // awake from here on: the host notifies only a worker in this function
  if (woke === 'timed-out') {
    await new Promise((resolve) => setImmediate(resolve));
    return false;
  }
  if (woke !== 'queued') Atomics.add(data.awake, 1, 1); // rung while asleep, or between its read and the wait
  return true;
}

/** The next task: already queued, arriving while the thread polls, or (sleeping) whenever it comes. */
async function nextTask(): Promise<ScoreMessage> {
  const idleSince = performance.now();
  let until = idleSince + pollMs(data.spinUs, gapMs);
  let task: ScoreMessage | 'prefetched' | undefined;
  for (;;) {
    do {
      task = queuedTask();
      if (task === 'prefetched') until = Math.max(until, performance.now() + WOKEN_POLL_MS); // its run comes next
    } while ((!task || task === 'prefetched') && performance.now() < until);
    if (task && task !== 'prefetched') break;
    until = (await sleep()) ? performance.now() + WOKEN_POLL_MS : 0;
  }
  const gap = performance.now() - idleSince;
  gapMs = movingAverage(gapMs, gap, GAP_WEIGHT);
  return task;
}

async function serve(): Promise<void> {
  Atomics.store(data.awake, 0, 1); // until it first sleeps
  for (;;) await answer(await nextTask());
}

void serve();
