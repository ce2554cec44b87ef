// Cached store rows copied by the worker that runs a request: the main thread only looks them up and names their slots,
// and may send the slots ahead of the run, so the worker copies while the main thread encodes the rest.
import { feedOffset, slotListOffset } from './feed-layout.js';
import type { FeedLayout } from './feed-layout.js';
import { compileRowCopy } from './row-copy.js';

/** Where a model's cached rows are and where they go: what a worker needs to copy them (sent once per model). */
export interface RowGather {
  /** The row cache's rows (shared, grown in place, see `RowSlab`). */
  readonly rows: SharedArrayBuffer;
  /** Widths of the features of a row, in row order. */
  readonly widths: readonly number[];
  /** Index in `FeedLayout.feeds` of each of those features. */
  readonly feeds: readonly number[];
}

/**
 * The worker's copies for one model. `hits` copies the cached rows a slot list names into a buffer laid out like a
 * request buffer of `rows` candidates (only the stored features' columns are written); `misses` then copies the
 * rows with no slot (encoded by the host) from the request buffer into it.
 */
export interface GatherRows {
  /** `reuse`: a buffer to write into when large enough (every word of the stored columns is written), or null. */
  hits(slots: Int32Array, rows: number, reuse: Int32Array | null): Int32Array;
  misses(request: ArrayBuffer, into: Int32Array, rows: number): void;
  /** The slot list of a request buffer of `rows` candidates. */
  slotList(request: ArrayBuffer, rows: number): Int32Array;
}

/** Each stored feature's first word in a request buffer of `rows` candidates. */
type Bases = (rows: number) => Int32Array;

/** Compiles the worker's copies for one model (once, when the worker is first sent the model). */
export function compileGather(gather: RowGather, layout: FeedLayout): GatherRows {
  const toColumns = compileRowCopy(gather.widths).toColumns;
  const scratch = new Int32Array(gather.feeds.length);
  const bases: Bases = (rows) => {
    for (let k = 0; k < gather.feeds.length; k++) scratch[k] = feedOffset(layout, layout.feeds[gather.feeds[k]], rows);
    return scratch;
  };
  let words: Int32Array = new Int32Array(0);
  return {
    hits(slots, rows, reuse) {
      // A view of the rows' current length (the host grows them in place): one that follows the length is much slower.
      if (words.length * 4 !== gather.rows.byteLength) words = new Int32Array(gather.rows, 0, gather.rows.byteLength / 4);
      const size = slotListOffset(layout, rows);
      const into = reuse && reuse.length >= size ? reuse : new Int32Array(size);
      toColumns(words, slots, rows, into, bases(rows));
      return into;
    },
    misses(request, into, rows) {
      copyMisses(new Int32Array(request), into, this.slotList(request, rows), rows, bases(rows), gather.widths);
    },
    slotList(request, rows) {
      return new Int32Array(request, slotListOffset(layout, rows) * 4, rows);
    },
  };
}

/** Copies the rows with no slot (misses, encoded by the host into the request buffer) into the worker's columns. */
function copyMisses(from: Int32Array, to: Int32Array, slots: Int32Array, rows: number, bases: Int32Array, widths: readonly number[]): void {
  for (let i = 0; i < rows; i++) {
    if (slots[i] >= 0) continue;
    for (let k = 0; k < widths.length; k++) {
      const at = bases[k] + i * widths[k];
      for (let t = 0; t < widths[k]; t++) to[at + t] = from[at + t];
    }
  }
}

/** A request's slot list, sent to the worker that will run it ahead of the run (see `ScoreThreads.prefetch`). */
export interface PrefetchMessage {
  readonly prefetch: { readonly gen: number; readonly gatherId: number; readonly rows: number; readonly slots: ArrayBuffer };
}

/** Buffers of finished runs a worker keeps for reuse. */
const SPARE_MAX = 2;

/** Most copies a worker keeps made ahead for runs not come yet (a request can fail between its prefetch and its run). */
const AHEAD_MAX = 16;

/**
 * The worker's side: each model's compiled copies, the copies made ahead of their runs, and the buffers of runs done
 * (reused: a buffer the worker wrote before is in its own cache, and a new one would be zeroed first).
 */
export class WorkerRows {
  readonly #models = new Map<number, { readonly gather: GatherRows; readonly feeds: readonly number[] }>();
  /** Columns copied ahead, by the id of the prefetch (unique among runs; its run has the same model and rows). */
  readonly #ahead = new Map<number, Int32Array>();
  readonly #spare: Int32Array[] = [];

  /** A model generation arrives (with its layout and, when its row cache is shared, where the rows are). */
  add(gen: number, gather: RowGather | null | undefined, layout: FeedLayout): void {
    if (gather) this.#models.set(gen, { gather: compileGather(gather, layout), feeds: gather.feeds });
  }

  drop(gen: number): void {
    this.#models.delete(gen);
  }

  /** Copies a coming run's cached rows now (ignored for a model this worker was not sent). */
  prefetch({ gen, gatherId, rows, slots }: PrefetchMessage['prefetch']): void {
    const model = this.#models.get(gen);
    if (!model) return;
    this.#ahead.set(gatherId, model.gather.hits(new Int32Array(slots), rows, this.#spare.pop() ?? null));
    if (this.#ahead.size > AHEAD_MAX) this.#ahead.delete(this.#ahead.keys().next().value as number);
  }

  /**
   * The stored features' columns of a run: the cached rows its slot list names (copied ahead when its prefetch came,
   * else now) and its misses, in a buffer of the worker's; with the feeds they are for.
   */
  columns(gen: number, request: ArrayBuffer, rows: number, gatherId?: number): { buffer: ArrayBuffer; feeds: readonly number[] } {
    const model = this.#models.get(gen);
    if (!model) throw new Error(`model generation ${gen} was sent without the shared row cache its runs name`);
    const ahead = gatherId === undefined ? undefined : this.#ahead.get(gatherId);
    if (ahead) this.#ahead.delete(gatherId as number);
    const columns = ahead ?? model.gather.hits(model.gather.slotList(request, rows), rows, this.#spare.pop() ?? null);
    model.gather.misses(request, columns, rows);
    return { buffer: columns.buffer as ArrayBuffer, feeds: model.feeds };
  }

  /** A run is done with the columns `columns` gave it: their buffer serves a later run. */
  done(buffer: ArrayBuffer): void {
    if (this.#spare.length < SPARE_MAX) this.#spare.push(new Int32Array(buffer));
  }
}
