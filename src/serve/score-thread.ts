// One scoring worker thread as its pool sees it: its port, the shared cells it is woken and answered through, its runs.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { AnswerSlots } from './answer-slots.js';
import type { SlotAnswer } from './answer-slots.js';
import { processClockMs } from '../util/process-clock.js';
import { RUNS_PER_WORKER } from './run-queue.js';
import type { PrefetchMessage } from './row-gather.js';
import type { ScoreMessage, ScoreReply, ScoreResult, ScoreTask, ScoreWorkerData } from './score-worker.js';

const WORKER_FILE = new URL('./score-worker.js', import.meta.url);

/**
 * Answer slots per thread (see `AnswerSlots`): twice the runs a worker is handed at once, since the least-busy choice
 * can give one thread a few more for a moment, and a run's slot stays out until its answer is taken.
 */
export const ANSWER_SLOTS = 2 * RUNS_PER_WORKER;

/** What a thread tells its pool: it died (or ended), or one of its runs settled. */
export interface ThreadEvents {
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
export class ScoreThread {
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
    this.#send(message, transfer);
  }

  /** Whether this worker was sent model generation `gen` (a prefetch for a model it does not know is of no use). */
  knows(gen: number): boolean {
    return this.#models.has(gen);
  }

  /** Sends a coming run's slot list ahead (see `ScoreThreads.prefetch`); no answer comes for it. */
  prefetch(message: PrefetchMessage, transfer: ArrayBuffer[]): void {
    this.#send(message, transfer);
  }

  #send(message: ScoreMessage | PrefetchMessage, transfer: ArrayBuffer[]): void {
    this.port.postMessage(message, transfer);
    Atomics.add(this.#posted, 0, 1); // after the post: a worker that sees the count move finds the message on its port
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
