// The scoring worker threads: one message port each, runs handed to the least busy, dead threads replaced.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { autofasError } from '../schema/errors.js';
import { AnswerPolling } from './answer-polling.js';
import { AnswerSlots } from './answer-slots.js';
import type { SlotAnswer } from './answer-slots.js';
import { processClockMs } from '../util/process-clock.js';
import { RUNS_PER_WORKER } from './run-queue.js';
import { SLEEP_SLICE_MS } from './worker-polling.js';
import type { ScoreMessage, ScoreReply, ScoreResult, ScoreTask, ScoreWorkerData } from './score-worker.js';

const WORKER_FILE = new URL('./score-worker.js', import.meta.url);

/**
 * Answer slots per thread (see `AnswerSlots`): twice the runs a worker is handed at once, since the least-busy choice
 * can give one thread a few more for a moment, and a run's slot stays out until its answer is taken.
 */
export const ANSWER_SLOTS = 2 * RUNS_PER_WORKER;

export interface ScoreThreadsOptions {
  readonly workers: number;
  readonly intraOpThreads: number;
  /** After a run, a worker polls up to this long for the next one, while runs come that close (0: never). */
  readonly spinUs: number;
  /** After posting a run, the host's event loop polls for its answer up to this long instead of sleeping (0: never). */
  readonly answerSpinUs: number;
  /** Shared cell: the lowest model generation still in use. */
  readonly floor: Int32Array;
  /** @internal How long a sleeping worker blocks before its event loop turns once (0: until woken; tests). */
  readonly sleepSliceMs?: number;
}

/** What a thread tells its pool: it died (or ended), or one of its runs settled. */
interface ThreadEvents {
  readonly gone: (thread: ScoreThread, err: Error) => void;
  readonly settled: () => void;
}

interface Pending {
  readonly resolve: (result: ScoreResult) => void;
  readonly reject: (err: Error) => void;
  /** The answer slot the run was given, or -1 (answered by message). */
  readonly slot: number;
}

/** One worker thread, its port and the runs it has not answered yet. */
class ScoreThread {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly pending = new Map<number, Pending>();
  readonly #events: ThreadEvents;
  /** Tasks posted and answers received so far, each shared with the worker (see `ScoreWorkerData`). */
  readonly #posted = new Int32Array(new SharedArrayBuffer(4));
  readonly #answered = new Int32Array(new SharedArrayBuffer(4));
  readonly #awake = new Int32Array(new SharedArrayBuffer(8));
  readonly #bell = new Int32Array(new SharedArrayBuffer(4));
  readonly #slots = new AnswerSlots(ANSWER_SLOTS);
  #nudgedAt = -Infinity;
  #received = 0;
  /** Runs answered in their slot (tests). */
  slotAnswers = 0;
  /** Model generations this worker was sent (a task carries its model only the first time). */
  readonly #models = new Set<number>();

  constructor(data: Omit<ScoreWorkerData, 'port' | 'posted' | 'answered' | 'awake' | 'bell' | 'answers'>, events: ThreadEvents) {
    this.#events = events;
    const { port1, port2 } = new MessageChannel();
    const workerData: ScoreWorkerData = { ...data, port: port2, posted: this.#posted, answered: this.#answered, awake: this.#awake, bell: this.#bell, answers: this.#slots.cells };
    this.worker = new Worker(WORKER_FILE, { workerData, transferList: [port2] });
    this.port = port1;
    this.port.on('message', (reply: ScoreReply) => this.#message(reply));
    this.worker.on('error', (err) => events.gone(this, err));
    this.worker.on('exit', (code) => events.gone(this, new Error(`the scoring worker exited with code ${code}`)));
    this.#idle();
  }

  post(id: number, task: ScoreTask, transfer: ArrayBuffer[], resolve: Pending['resolve'], reject: Pending['reject']): void {
    if (this.pending.size === 0) {
      // While runs are out, the thread keeps the process alive (its exit must still be heard if it dies).
      this.port.ref();
      this.worker.ref();
    }
    const slot = task.check ? -1 : this.#slots.take(id, task.rows);
    this.pending.set(id, { resolve, reject, slot });
    const { model, ...rest } = task;
    const first = !this.#models.has(model.gen);
    if (first) this.#models.add(model.gen);
    const message: ScoreMessage = { id, task: { ...rest, gen: model.gen, slot, ...(first ? { model } : {}) } };
    this.port.postMessage(message, transfer);
    Atomics.add(this.#posted, 0, 1); // after the post: a worker that sees the count move finds the task on its port
    this.#ring();
  }

  /** Rings the worker's bell (see `ScoreWorkerData.bell`): a sleeping worker wakes, one about to sleep does not. */
  #ring(): void {
    Atomics.add(this.#bell, 0, 1);
    if (!this.awake) Atomics.notify(this.#bell, 0);
  }

  /** Whether the worker is awake (running or polling) rather than asleep on its bell. */
  get awake(): boolean {
    return Atomics.load(this.#awake, 0) === 1;
  }

  /** How often the worker woke from sleep. */
  get wakeUps(): number {
    return Atomics.load(this.#awake, 1);
  }

  /** Wakes the worker ahead of a run when it sleeps with nothing to do (at most once a millisecond). */
  nudge(now: number): void {
    if (this.pending.size > 0 || this.awake || now - this.#nudgedAt < 1) return;
    this.#nudgedAt = now;
    this.#ring(); // the worker then polls for the run that follows
  }

  /** Rejects every run still waiting on this thread (those answered in their slots settle first). */
  failAll(err: Error): void {
    this.#slots.collect(this.#settle); // a run the worker answered in its slot before it died is not failed with it
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.#idle();
  }

  /** Takes the answers written in their slots, and those posted straight off the port (no message event); false when none is out. */
  receive(): boolean {
    this.#slots.collect(this.#settle);
    while (Atomics.load(this.#answered, 0) !== this.#received) {
      const reply = receiveMessageOnPort(this.port)?.message as ScoreReply | undefined;
      if (!reply) break; // counted before its message event was dispatched: already answered
      this.#message(reply);
    }
    return this.pending.size > 0;
  }

  #message(reply: ScoreReply): void {
    this.#received++;
    if (reply.notice) this.#slots.collect(this.#settle);
    else this.#answer(reply);
  }

  /** A run answered in its slot. */
  readonly #settle = (id: number, answer: SlotAnswer): void => {
    this.slotAnswers++;
    this.#finish(id, (p) => p.resolve({ scores: answer.scores, runMs: answer.runMs, workerMs: answer.workerMs, answerDelayMs: processClockMs() - answer.postedAt }));
  };

  /** A run answered by message: its slot (if any) was not used. */
  #answer(reply: ScoreReply): void {
    this.#finish(reply.id, (p) => {
      this.#slots.release(p.slot);
      if (reply.result) p.resolve({ ...reply.result, answerDelayMs: processClockMs() - reply.postedAt });
      else p.reject(Object.assign(new Error(reply.error?.message ?? 'the scoring worker failed'), reply.error?.code ? { code: reply.error.code } : {}));
    });
  }

  /** The run `id` leaves the pending ones and is settled, and the pool hears of it; nothing when it is not pending. */
  #finish(id: number, settle: (p: Pending) => void): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.#idle();
    settle(p);
    this.#events.settled();
  }

  /** An idle thread does not keep the host's process alive. */
  #idle(): void {
    this.port.unref();
    this.worker.unref();
  }
}

/**
 * Worker threads that run scoring tasks. A run goes to the thread with the fewest runs in flight (callers bound the
 * total, see RunQueue); a thread that dies fails its runs and is replaced by the next run (not at once: a worker that
 * cannot start must not respawn in a loop; each run then fails, and the breaker opens). Piscina did this before, with
 * more per-run bookkeeping (the overhead it adds is compared in docs/benchmarks.md, "Serving", run 8).
 */
export class ScoreThreads {
  readonly #options: ScoreThreadsOptions;
  readonly #threads: ScoreThread[] = [];
  readonly #polling: AnswerPolling;
  /** Shared with every worker: 1 while the event loop polls for answers (see `ScoreWorkerData.listening`). */
  readonly #listening = new Int32Array(new SharedArrayBuffer(4));
  #nextId = 0;
  #closing = false;
  #drained: (() => void) | null = null;

  constructor(options: ScoreThreadsOptions) {
    this.#options = options;
    this.#polling = new AnswerPolling(options.answerSpinUs, () => this.#receive(), this.#listening);
    for (let i = 0; i < options.workers; i++) this.#threads.push(this.#spawn());
  }

  /** @internal Threads awake now (running or polling) (tests). */
  get awakeThreads(): number {
    return this.#threads.filter((t) => t.awake).length;
  }

  /** @internal Wake-ups from sleep so far, over all threads (tests). */
  get wakeUps(): number {
    return this.#threads.reduce((sum, t) => sum + t.wakeUps, 0);
  }

  /** @internal Runs answered in shared memory so far, over the threads running now (tests). */
  get slotAnswers(): number {
    return this.#threads.reduce((sum, t) => sum + t.slotAnswers, 0);
  }

  /** Threads running now (a dead one is replaced by the next run). */
  get threads(): number {
    return this.#threads.length;
  }

  /** Runs one task on the least busy thread; `transfer` moves buffers to it instead of copying them. */
  run(task: ScoreTask, transfer: ArrayBuffer[] = []): Promise<ScoreResult> {
    if (this.#closing) return Promise.reject(autofasError('ERR_AUTOFAS_CLOSED', 'the scoring workers are closing'));
    if (this.#threads.length < this.#options.workers) this.#threads.push(this.#spawn());
    this.#receive(); // answers already written settle first (see `runComing`), so the least busy thread is the right one
    const thread = this.#leastBusy();
    const id = ++this.#nextId;
    const answer = new Promise<ScoreResult>((resolve, reject) => thread.post(id, task, transfer, resolve, reject));
    this.#polling.posted();
    return answer;
  }

  /**
   * A run is about to be posted: takes the answers already written, and wakes the thread the run will go to if that
   * one sleeps. On a busy event loop the polling turn comes only once all the turn's I/O is served; taking answers
   * at each request too settles them (and frees their run slots) as soon as the loop serves anything.
   */
  runComing(): void {
    if (this.#closing || this.#threads.length === 0) return;
    this.#receive();
    if (this.#options.spinUs === 0) return; // workerSpinUs 0: never poll
    this.#leastBusy().nudge(performance.now());
  }

  /** The thread with the fewest runs in flight (the first of them on a tie): where the next run goes. */
  #leastBusy(): ScoreThread {
    let thread = this.#threads[0];
    for (const t of this.#threads) if (t.pending.size < thread.pending.size) thread = t;
    return thread;
  }

  /** Takes every answer already posted; true while runs are still out. */
  #receive(): boolean {
    let out = false;
    for (const t of this.#threads) out = t.receive() || out;
    return out;
  }

  /** Stops taking runs, waits for those in flight, then ends the threads. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#threads.some((t) => t.pending.size > 0)) await new Promise<void>((resolve) => (this.#drained = resolve));
    await this.#terminate();
  }

  /** Ends the threads at once; runs in flight reject. */
  async destroy(): Promise<void> {
    this.#closing = true;
    for (const t of this.#threads) t.failAll(autofasError('ERR_AUTOFAS_CLOSED', 'the scoring workers were stopped'));
    await this.#terminate();
  }

  async #terminate(): Promise<void> {
    const threads = this.#threads.splice(0);
    await Promise.all(threads.map((t) => t.worker.terminate()));
    for (const t of threads) t.port.close();
  }

  #spawn(): ScoreThread {
    const { intraOpThreads, floor, spinUs, sleepSliceMs = SLEEP_SLICE_MS } = this.#options; // answerSpinUs is the host's
    return new ScoreThread({ intraOpThreads, floor, spinUs, sleepSliceMs, listening: this.#listening }, { gone: (gone, err) => this.#gone(gone, err), settled: () => this.#checkDrained() });
  }

  /** A thread died (or ended): its runs fail and it leaves; the next run starts its replacement. */
  #gone(thread: ScoreThread, err: Error): void {
    const at = this.#threads.indexOf(thread);
    thread.failAll(err);
    if (at < 0) return;
    this.#threads.splice(at, 1);
    this.#checkDrained();
  }

  #checkDrained(): void {
    if (this.#drained && this.#threads.every((t) => t.pending.size === 0)) {
      this.#drained();
      this.#drained = null;
    }
  }
}
