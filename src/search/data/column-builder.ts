// Growable typed columns for the dataset loader: fixed-size chunks while loading, one exact-size array at the end.
import { encodeValueInto } from '../../schema/encoder.js';
import type { Feature } from '../../schema/feature-spec.js';
import { featureWidth } from '../../schema/feature-spec.js';

/** One encoded column: float32 for numeric and vector features and scores, int32 for categorical indices. */
export type Column = Float32Array | Int32Array;

type ColumnCtor = Float32ArrayConstructor | Int32ArrayConstructor;

const EMPTY = new Float32Array(0);

const MIN_SHIFT = 12; // first chunk: 4096 rows
const MAX_SHIFT = 18; // chunks double up to 262144 rows (1 MiB per float column of width 1), then stay that size
const CAP_INDEX = MAX_SHIFT - MIN_SHIFT;
const CAP_START = (1 << MAX_SHIFT) - (1 << MIN_SHIFT);

/** Rows held by chunk `k`: 4096, 8192, ... up to 262144. */
function chunkRows(k: number): number {
  return 1 << (MIN_SHIFT + Math.min(k, CAP_INDEX));
}

/**
 * Rows are written at any index, so a half-written line can be rolled back by simply writing the next line over it.
 * Chunks never move (no doubling copies) and grow geometrically, so small datasets stay small; large chunks are
 * big enough for the allocator to map them separately and give them back to the OS when `finish()` (which compacts
 * them into one exact-size array, dropping each chunk as soon as it is copied) lets them go.
 */
export class ChunkedColumn {
  readonly width: number;
  private readonly ctor: ColumnCtor;
  private chunks: Column[] = [];
  /** The chunk found by the last `locate()`. */
  protected current: Column = EMPTY;

  constructor(ctor: ColumnCtor, width: number) {
    this.ctor = ctor;
    this.width = width;
  }

  /** Points `current` at the chunk holding `row` (allocating chunks on first use); returns the row's element offset. */
  protected locate(row: number): number {
    let k: number;
    let start: number;
    if (row < CAP_START) {
      k = 31 - Math.clz32((row >>> MIN_SHIFT) + 1);
      start = ((1 << k) - 1) << MIN_SHIFT;
    } else {
      k = CAP_INDEX + Math.floor((row - CAP_START) / (1 << MAX_SHIFT));
      start = CAP_START + (k - CAP_INDEX) * (1 << MAX_SHIFT);
    }
    while (this.chunks.length <= k) this.chunks.push(new this.ctor(chunkRows(this.chunks.length) * this.width));
    this.current = this.chunks[k];
    return (row - start) * this.width;
  }

  /** Writes one plain number (scores, labels, offsets, ids). */
  set(row: number, value: number): void {
    const offset = this.locate(row);
    this.current[offset] = value;
  }

  /** Bytes currently held by the chunks. */
  bytes(): number {
    return this.chunks.reduce((sum, c) => sum + c.byteLength, 0);
  }

  /** Compacts the first `rows` rows into one exact-size array and releases the chunks. */
  finish(rows: number): Column {
    const out = new this.ctor(rows * this.width);
    let at = 0;
    for (let i = 0; i < this.chunks.length && at < out.length; i++) {
      const chunk = this.chunks[i];
      const take = Math.min(chunk.length, out.length - at);
      out.set(take === chunk.length ? chunk : chunk.subarray(0, take), at);
      at += take;
      this.chunks[i] = EMPTY; // drop as we go so the old chunk can be collected before the next copy
    }
    this.chunks = [];
    this.current = EMPTY;
    return out;
  }
}


/** A column of one spec feature: encodes raw logged values through the shared encoder. */
export class FeatureColumn extends ChunkedColumn {
  readonly feature: Feature;

  constructor(feature: Feature) {
    super(feature.type === 'categorical' ? Int32Array : Float32Array, featureWidth(feature));
    this.feature = feature;
  }

  /** Encodes `raw` (undefined/null = missing -> default) at `row`; returns the encoder's problem or null. */
  encode(row: number, raw: unknown): string | null {
    const offset = this.locate(row);
    return encodeValueInto(this.feature, raw, this.current, offset);
  }
}
