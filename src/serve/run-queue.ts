// Admission to the worker threads: one slot per worker, a bounded FIFO of waiting runs, refusals decided from the deadline.
import { autofasError } from '../schema/errors.js';
import type { AutofasError } from '../schema/errors.js';
import { movingAverage } from '../util/stats.js';
import { AnswerDelays } from './answer-delays.js';

/** How the queue was sized; both default from the machine (see `options.ts`). */
export interface RunQueueOptions {
  /** Runs handed to the pool at once (a few per worker, so a worker never idles while the main thread is busy). */
  readonly slots: number;
  /** Runs that execute at once: the worker threads. @default slots */
  readonly workers?: number;
  /** Runs allowed to wait for a slot; beyond it a request is shed at once. */
  readonly maxQueue: number;
  readonly now: () => number;
  /** Runs a callback once the event loop gets to it (the delay probe). @default setImmediate */
  readonly defer?: (callback: () => void) => void;
}

interface Waiter {
  readonly grant: (release: () => void) => void;
  readonly refuse: (err: AutofasError) => void;
  readonly timer: NodeJS.Timeout;
  /** When its request's deadline passes (the queue's clock). */
  readonly endsAt: number;
}

/**
 * Runs handed to each worker at once (the queue's slots are this many per worker): runs queue on the worker itself,
 * so it never idles while a busy main thread has not yet picked up its last answers.
 */
export const RUNS_PER_WORKER = 4;

/** Weight of the newest run in the moving average of run times. */
const EWMA_WEIGHT = 0.2;

/**
 * Slots for model runs. A run that cannot be served within the time its request has left is refused with
 * ERR_AUTOFAS_OVERLOAD (load shedding): the request falls back, and the model breaker never sees it, because a full
 * queue says nothing about the model's health. The pool behind it is never handed more runs than it has workers.
 */
export class RunQueue {
  readonly #options: RunQueueOptions;
  readonly #workers: number;
  readonly #waiting: Waiter[] = [];
  #running = 0;
  #runMs = 0;
  readonly #delays = new AnswerDelays();
  #probing = false;

  constructor(options: RunQueueOptions) {
    this.#options = options;
    this.#workers = options.workers ?? options.slots;
  }

  /** Moving average of a run's time on a worker (0 before the first run). */
  get runMs(): number {
    return this.#runMs;
  }

  /** How late answers have lately been picked up on this thread (the 75th percentile of the last second's, in ms). */
  get answerDelayMs(): number {
    return this.#delays.estimate(this.#options.now());
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Time a run asked for now would wait before a worker starts it: the runs ahead of it (handed out or waiting) beyond
   * the workers, each worker taking one per average run (0 while a worker is free).
   */
  expectedWaitMs(): number {
    const ahead = this.#running + this.#waiting.length + 1 - this.#workers;
    return ahead <= 0 ? 0 : (ahead / this.#workers) * this.#runMs;
  }

  /** Why a request with `remainingMs` left should be shed now (a coded error), or null to admit it. */
  refusal(remainingMs: number): AutofasError | null {
    if (this.#running >= this.#options.slots && this.#waiting.length >= this.#options.maxQueue) {
      return autofasError('ERR_AUTOFAS_OVERLOAD', `shed: ${this.#waiting.length} model runs already wait (maxQueue ${this.#options.maxQueue})`, { cause: 'queue-full' });
    }
    // Only the wait decides: a run that alone outlasts the deadline is the timeout's and the breaker's business, and an
    // idle pool always admits, so the run-time average keeps learning (it could never come down otherwise).
    const waitMs = this.expectedWaitMs();
    if (waitMs > remainingMs) {
      return autofasError('ERR_AUTOFAS_OVERLOAD', `shed: expected wait ${waitMs.toFixed(1)} ms exceeds the ${remainingMs.toFixed(1)} ms left`, { cause: 'deadline' });
    }
    // A saturated event loop picks answers up late whatever the workers do: a run whose answer would come back after
    // the deadline only times out (and its timer fires late too), so the request is shed now. While shedding, a probe
    // keeps measuring the loop, so admission resumes once it catches up.
    // Without a free slot the run also waits for an answer ahead of it to be picked up: two late pickups, not one.
    const delayMs = this.answerDelayMs;
    const pickups = this.#running < this.#options.slots ? 1 : 2;
    if (waitMs + pickups * delayMs > remainingMs) {
      this.#probe();
      const late = `${pickups === 2 ? 'twice ' : ''}${delayMs.toFixed(1)} ms`;
      return autofasError('ERR_AUTOFAS_OVERLOAD', `shed: answers come back ${late} late, over the ${remainingMs.toFixed(1)} ms left`, { cause: 'loop-lag' });
    }
    return null;
  }

  /**
   * How long a waiter waits for a slot: until its run and the pickup of its answer no longer fit in the time left, so a
   * request that will be shed falls back while it still has time, not at its deadline.
   */
  #giveUpAfterMs(remainingMs: number): number {
    return Math.max(0, remainingMs - this.#runMs - this.answerDelayMs);
  }

  /** One delay sample from the event loop itself: the time a deferred callback waits to run. */
  #probe(): void {
    if (this.#probing) return;
    this.#probing = true;
    const due = this.#options.now();
    (this.#options.defer ?? setImmediate)(() => {
      this.#probing = false;
      const now = this.#options.now();
      this.#delays.record(now - due, now);
    });
  }

  /**
   * A slot for one run: resolves with its release function (call it once the run has settled, with the run's time on
   * its worker when known: main-thread delays in picking up answers are not run time; and how late this thread picked
   * its answer up, when known), or
   * rejects with ERR_AUTOFAS_OVERLOAD when the queue is full or no slot frees up within `remainingMs`.
   */
  acquire(remainingMs: number): Promise<(workerMs?: number, answerDelayMs?: number) => void> {
    const refused = this.refusal(remainingMs);
    if (refused) return Promise.reject(refused);
    if (this.#running < this.#options.slots) return Promise.resolve(this.#start());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        refuse: reject,
        endsAt: this.#options.now() + remainingMs,
        timer: setTimeout(() => {
          const at = this.#waiting.indexOf(waiter);
          if (at >= 0) this.#waiting.splice(at, 1);
          reject(autofasError('ERR_AUTOFAS_OVERLOAD', `shed: no worker was free in time for a run and its answer in the ${remainingMs.toFixed(1)} ms left`, { cause: 'queue-wait' }));
        }, this.#giveUpAfterMs(remainingMs)),
      };
      this.#waiting.push(waiter);
    });
  }

  #start(): (workerMs?: number, answerDelayMs?: number) => void {
    this.#running++;
    const startedAt = this.#options.now();
    let released = false;
    return (workerMs?: number, answerDelayMs?: number) => {
      if (released) return;
      released = true;
      if (answerDelayMs !== undefined) this.#delays.record(answerDelayMs, this.#options.now());
      const ms = typeof workerMs === 'number' && Number.isFinite(workerMs) ? workerMs : this.#options.now() - startedAt;
      this.#runMs = movingAverage(this.#runMs === 0 ? undefined : this.#runMs, ms, EWMA_WEIGHT);
      this.#running--;
      this.#next();
    };
  }

  /**
   * Hands the free slot to the oldest waiter that still has time for an average run and its pickup; the others are
   * shed now rather than started and timed out (a run cut short by its deadline would count against the model).
   */
  #next(): void {
    for (let waiter = this.#waiting.shift(); waiter; waiter = this.#waiting.shift()) {
      clearTimeout(waiter.timer);
      const leftMs = waiter.endsAt - this.#options.now();
      const needMs = this.#runMs + this.answerDelayMs;
      if (leftMs >= needMs) return waiter.grant(this.#start());
      waiter.refuse(autofasError('ERR_AUTOFAS_OVERLOAD', `shed: a worker freed up with ${leftMs.toFixed(1)} ms left, under the ${needMs.toFixed(1)} ms of an average run and its answer's pickup`, { cause: 'queue-wait' }));
    }
  }
}
