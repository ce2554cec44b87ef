// Where each feed of a request lives in its one buffer, and that buffer (what the main thread fills and a worker runs).
import type { InputDtype } from '../schema/encoder.js';
import type { Prefetch } from './score-threads.js';

/** One model input in the request buffer. */
export interface FeedSpec {
  readonly name: string;
  readonly dtype: InputDtype;
  readonly width: number;
  /** Item feeds have one row per candidate, context feeds one row. */
  readonly perCandidate: boolean;
  /** Words before it: in the context section (context feeds), or per candidate in the item section (item feeds). */
  readonly offset: number;
}

/** Where each feed of a request lives in its one buffer: the context section, then one column per item feed. */
export interface FeedLayout {
  readonly feeds: readonly FeedSpec[];
  readonly contextWords: number;
  readonly rowWords: number;
}

/** Word offset of `feed` in the buffer of a request with `rows` candidates. */
export function feedOffset(layout: FeedLayout, feed: FeedSpec, rows: number): number {
  return feed.perCandidate ? layout.contextWords + rows * feed.offset : feed.offset;
}

/** Word offset of the slot list in a request buffer: one int32 per candidate after the feeds (see row-gather.ts). */
export function slotListOffset(layout: FeedLayout, rows: number): number {
  return layout.contextWords + rows * layout.rowWords;
}

/** One feed as a view into the request buffer: ORT tensors are made on these views, nothing is copied. */
export interface FeedView {
  readonly name: string;
  readonly dtype: InputDtype;
  readonly dims: readonly number[];
  readonly data: Float32Array | Int32Array;
}

/** Views of every feed of a request buffer. */
export function feedViews(layout: FeedLayout, buffer: ArrayBufferLike, rows: number): FeedView[] {
  return layout.feeds.map((feed) => {
    const n = feed.perCandidate ? rows : 1;
    const offset = feedOffset(layout, feed, rows) * 4;
    const data = feed.dtype === 'int32' ? new Int32Array(buffer, offset, n * feed.width) : new Float32Array(buffer, offset, n * feed.width);
    return { name: feed.name, dtype: feed.dtype, dims: feed.dtype === 'int32' ? [n] : [n, feed.width], data };
  });
}

/**
 * The feeds of one request in one transferable buffer (float32 and int32 views of it), and, when the model's row cache
 * is shared, the list of each candidate's cache slot, for the worker to copy the cached rows (see row-gather.ts).
 */
export class FeedBatch {
  readonly rows: number;
  readonly buffer: ArrayBuffer;
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  /** Each candidate's slot in the shared row cache, or -1 (its row is in the buffer); null without a shared cache. */
  readonly slots: Int32Array | null;
  /** Ends the batch's hold on the cached rows its slot list names (see `RowSlab.hold`). */
  #release: (() => void) | null = null;
  /** Where the slot list was sent ahead of the run, if it was (see `ModelPool.prefetch`). */
  ahead: Prefetch | null = null;

  constructor(layout: FeedLayout, rows: number, slotList = false) {
    this.rows = rows;
    const words = slotListOffset(layout, rows);
    this.buffer = new ArrayBuffer((words + (slotList ? rows : 0)) * 4);
    this.f32 = new Float32Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.slots = slotList ? new Int32Array(this.buffer, words * 4, rows) : null;
  }

  /** Keeps the cached rows of the slot list from being replaced until `release` is called. */
  holdRows(release: () => void): void {
    this.#release = release;
  }

  /** Hands the hold to whoever sends the batch to a worker (its run's end then releases it); null when there is none. */
  takeHold(): (() => void) | null {
    const release = this.#release;
    this.#release = null;
    return release;
  }

  /** Ends the hold unless it was taken: for a batch that is never sent. */
  dropHold(): void {
    this.takeHold()?.();
  }
}
