// How late this thread's event loop picks up answers: a quantile over a recent window, which admission weighs against
// the time a request has left.
import { quantile } from '../util/stats.js';

/** Samples kept, and how long one counts. */
const WINDOW = 64;
const MAX_AGE_MS = 1000;
/**
 * The share of recent answers that came back within the estimate: three in four, so a lone stall (a GC pause, a few
 * late answers) does not shed, while a loop that makes a quarter of the answers late already does.
 */
const QUANTILE = 0.75;

/**
 * Recent delays between an answer being ready (a worker posted it, or a probe was due) and this thread running its
 * callback. A saturated event loop makes every answer late whatever the workers do; this measures by how much.
 */
export class AnswerDelays {
  readonly #ms = new Float64Array(WINDOW);
  readonly #at = new Float64Array(WINDOW);
  readonly #scratch = new Float64Array(WINDOW);
  #count = 0;
  #next = 0;
  /** The last estimate and when it was made (recomputed after a new sample, or once it may have aged). */
  #estimate = 0;
  #estimatedAt = Number.NEGATIVE_INFINITY;
  #dirty = false;

  record(ms: number, now: number): void {
    if (!Number.isFinite(ms)) return;
    this.#ms[this.#next] = Math.max(0, ms);
    this.#at[this.#next] = now;
    this.#next = (this.#next + 1) % WINDOW;
    this.#count = Math.min(WINDOW, this.#count + 1);
    this.#dirty = true;
  }

  /** The QUANTILE of the delays recorded in the last MAX_AGE_MS (0 when there are none). */
  estimate(now: number): number {
    if (!this.#dirty && now - this.#estimatedAt < MAX_AGE_MS / 16) return this.#estimate;
    let n = 0;
    for (let i = 0; i < this.#count; i++) if (now - this.#at[i] <= MAX_AGE_MS) this.#scratch[n++] = this.#ms[i];
    const recent = this.#scratch.subarray(0, n).sort();
    this.#estimate = n === 0 ? 0 : quantile(recent, QUANTILE);
    this.#estimatedAt = now;
    this.#dirty = false;
    return this.#estimate;
  }
}
