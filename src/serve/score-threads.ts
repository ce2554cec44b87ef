// The scoring worker threads: one message port each, runs handed to the least busy, dead threads replaced.
import { autofasError } from '../schema/errors.js';
import { AnswerPolling } from './answer-polling.js';
import { ScoreThread } from './score-thread.js';
import type { ScoreResult, ScoreTask } from './score-worker.js';
import { SLEEP_SLICE_MS } from './worker-polling.js';

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

/** Where a coming run's slot list was sent ahead (see `ScoreThreads.prefetch`). */
export interface Prefetch {
  readonly thread: ScoreThread;
  readonly gatherId: number;
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

  /**
   * Runs one task on the least busy thread, or on the thread its rows were sent ahead to (`ahead`) while that one
   * lives; `transfer` moves buffers to it instead of copying them.
   */
  run(task: ScoreTask, transfer: ArrayBuffer[] = [], ahead?: Prefetch | null): Promise<ScoreResult> {
    if (this.#closing) return Promise.reject(autofasError('ERR_AUTOFAS_CLOSED', 'the scoring workers are closing'));
    if (this.#threads.length < this.#options.workers) this.#threads.push(this.#spawn());
    this.#receive(); // answers already written settle first (see `runComing`), so the least busy thread is the right one
    const thread = ahead && this.#threads.includes(ahead.thread) ? ahead.thread : this.#leastBusy();
    const id = ++this.#nextId;
    const answer = new Promise<ScoreResult>((resolve, reject) => thread.post(id, task, transfer, resolve, reject));
    this.#polling.posted();
    return answer;
  }

  /**
   * Sends a coming run's slot list (model generation `gen`, `rows` candidates) to the least busy thread, which copies
   * the cached rows it names while the main thread encodes the rest of the run; the run then goes to the same thread
   * (pass the result to `run`). Null when there is no thread to send it to, or it was not sent that model yet.
   */
  prefetch(gen: number, slots: Int32Array, rows: number): Prefetch | null {
    if (this.#closing || this.#threads.length === 0) return null;
    const thread = this.#leastBusy();
    if (!thread.knows(gen)) return null;
    const gatherId = ++this.#nextId;
    const copy = slots.slice(0, rows); // the request's own list travels with its run
    thread.prefetch({ prefetch: { gen, gatherId, rows, slots: copy.buffer } }, [copy.buffer]);
    return { thread, gatherId };
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
