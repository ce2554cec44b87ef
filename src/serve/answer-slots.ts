// Shared memory through which a scoring worker hands a run's scores back, so an answer needs no message.

/** Most rows one slot holds; a larger run is answered by message. */
export const SLOT_ROWS = 8192;

/** Per slot, in `meta`: rows, ORT run time, the task's time on its worker, when the worker wrote it. */
const META = 4;

const FREE = 0;
const OUT = 1;
const ANSWERED = 2;

/** The shared cells of one thread's answer slots (given to its worker at start). */
export interface AnswerSlotCells {
  /** Per slot: free, out (a run will answer in it), or answered. */
  readonly states: Int32Array;
  readonly meta: Float64Array;
  /** Per slot, `SLOT_ROWS` scores. */
  readonly scores: Float32Array;
  /** [0]: answers written so far (the host looks at the slots when it moved). */
  readonly written: Int32Array;
}

/** What a run answered in its slot. */
export interface SlotAnswer {
  readonly scores: Float32Array;
  readonly runMs: number;
  readonly workerMs: number;
  /** When the worker wrote it, on the process-wide clock. */
  readonly postedAt: number;
}

/** The host's side of one thread's answer slots: hands them to runs and takes the answers out. */
export class AnswerSlots {
  readonly cells: AnswerSlotCells;
  /** The run each slot is out for. */
  readonly #runs: Int32Array;
  #seen = 0;

  /** `count` slots: runs of the thread answered through shared memory at once; more in flight are answered by message. */
  constructor(count: number) {
    this.cells = {
      states: new Int32Array(new SharedArrayBuffer(4 * count)),
      meta: new Float64Array(new SharedArrayBuffer(8 * META * count)),
      scores: new Float32Array(new SharedArrayBuffer(4 * SLOT_ROWS * count)),
      written: new Int32Array(new SharedArrayBuffer(4)),
    };
    this.#runs = new Int32Array(count);
  }

  /** A free slot for run `id` (the worker answers in it), or -1 when all are out or the run is too large. */
  take(id: number, rows: number): number {
    if (rows > SLOT_ROWS) return -1;
    const { states } = this.cells;
    for (let slot = 0; slot < states.length; slot++) {
      if (states[slot] !== FREE) continue;
      Atomics.store(states, slot, OUT);
      this.#runs[slot] = id;
      return slot;
    }
    return -1;
  }

  /** Frees a slot whose run was answered by message instead (an error) or will never be answered here. */
  release(slot: number): void {
    if (slot >= 0) Atomics.store(this.cells.states, slot, FREE);
  }

  /** Takes out every answer written since the last look (a copy of its scores), freeing its slot. */
  collect(onAnswer: (id: number, answer: SlotAnswer) => void): void {
    const { states, meta, scores, written } = this.cells;
    const count = Atomics.load(written, 0);
    if (count === this.#seen) return;
    this.#seen = count; // read before the states: an answer counted later is found by the next look
    for (let slot = 0; slot < states.length; slot++) {
      if (Atomics.load(states, slot) !== ANSWERED) continue;
      const at = slot * META;
      const from = slot * SLOT_ROWS;
      const answer = { scores: scores.slice(from, from + meta[at]), runMs: meta[at + 1], workerMs: meta[at + 2], postedAt: meta[at + 3] };
      Atomics.store(states, slot, FREE);
      onAnswer(this.#runs[slot], answer);
    }
  }
}

/**
 * The worker's side: writes a run's answer into its slot, then counts it. False when the run has no slot or does
 * not fit (it is then answered by message).
 */
export function writeAnswer(cells: AnswerSlotCells, slot: number, answer: SlotAnswer): boolean {
  if (slot < 0 || answer.scores.length > SLOT_ROWS) return false;
  const at = slot * META;
  cells.scores.set(answer.scores, slot * SLOT_ROWS);
  cells.meta[at] = answer.scores.length;
  cells.meta[at + 1] = answer.runMs;
  cells.meta[at + 2] = answer.workerMs;
  cells.meta[at + 3] = answer.postedAt;
  Atomics.store(cells.states, slot, ANSWERED); // after the scores and meta: a host that sees it reads them whole
  Atomics.add(cells.written, 0, 1);
  return true;
}
