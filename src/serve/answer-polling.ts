// Keeps the host's event loop polling (not sleeping) while a scoring run is out, for at most a bounded time.

/**
 * While runs are out, a chain of `setImmediate` callbacks makes each event-loop turn poll for I/O without blocking,
 * so a worker's answer is picked up without waking a sleeping thread (a wake-up costs tens of microseconds); each
 * turn also takes the answers out of the workers' answer slots and straight off their ports (`receive`). The loop stays free: every turn still runs
 * timers, I/O and other callbacks. Polling stops when no run is out or `spinUs` after the latest run was posted,
 * whichever comes first; `spinUs` 0 turns it off. While it polls, the shared `listening` cell is 1, so workers that
 * answer in shared memory need not post a notice (see answer-slots.ts).
 */
export class AnswerPolling {
  readonly #spinMs: number;
  readonly #receive: () => boolean;
  readonly #now: () => number;
  readonly #listening: Int32Array;
  #until = 0;
  #polling = false;

  /**
   * `receive` takes the answers already posted and tells whether any run is still out; `listening` is the cell set
   * while polling; `now` is the clock in ms.
   */
  constructor(spinUs: number, receive: () => boolean, listening: Int32Array, now: () => number = () => performance.now()) {
    this.#spinMs = spinUs / 1000;
    this.#receive = receive;
    this.#now = now;
    this.#listening = listening;
  }

  /** Whether the loop is being kept polling now. */
  get polling(): boolean {
    return this.#polling;
  }

  /** A run was posted: keep polling until its answer (or `spinUs` from now). */
  posted(): void {
    if (this.#spinMs <= 0) return;
    this.#until = this.#now() + this.#spinMs;
    if (this.#polling) return;
    this.#polling = true;
    Atomics.store(this.#listening, 0, 1);
    setImmediate(this.#turn);
  }

  readonly #turn = (): void => {
    if (this.#receive() && this.#now() < this.#until) {
      setImmediate(this.#turn);
      return;
    }
    this.#polling = false;
    Atomics.store(this.#listening, 0, 0);
    this.#receive(); // after the cell: an answer written while it was still 1 (so with no notice) is taken now
  };
}
