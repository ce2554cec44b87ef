// Growable typed columns for the dataset loader: fixed-size chunks while loading, one exact-size array at the end.
import { encodeValueInto } from '../schema/encoder.js';
import type { Feature } from '../schema/feature-spec.js';
import { featureWidth } from '../schema/feature-spec.js';

/** One encoded column: float32 for numeric and vector features and scores, int32 for categorical indices. */
export type Column = Float32Array | Int32Array;

type ColumnCtor = Float32ArrayConstructor | Int32ArrayConstructor;

/**
 * Rows are written at any index below the next free chunk, so a half-written line can be rolled back by simply
 * writing the next line over it. Chunks never move (no doubling copies); `finish()` compacts them into one array and
 * drops them chunk by chunk, so peak memory stays near the final size plus one chunk per column.
 */
export class ChunkedColumn {
  readonly width: number;
  private readonly ctor: ColumnCtor;
  private readonly shift: number;
  private readonly mask: number;
  private chunks: Column[] = [];

  /** `chunkRows` must be a power of two. */
  constructor(ctor: ColumnCtor, width: number, chunkRows: number) {
    this.ctor = ctor;
    this.width = width;
    this.shift = Math.log2(chunkRows);
    this.mask = chunkRows - 1;
  }

  /** The chunk holding `row` (allocated on first use) and the element offset of that row inside it. */
  chunkFor(row: number): Column {
    const index = row >>> this.shift;
    while (this.chunks.length <= index) this.chunks.push(new this.ctor((this.mask + 1) * this.width));
    return this.chunks[index];
  }

  /** Element offset of `row` inside its chunk. */
  offsetOf(row: number): number {
    return (row & this.mask) * this.width;
  }

  /** Writes one plain number (scores, labels, offsets, ids). */
  set(row: number, value: number): void {
    this.chunkFor(row)[this.offsetOf(row)] = value;
  }

  /** Bytes currently held by the chunks. */
  bytes(): number {
    return this.chunks.reduce((sum, c) => sum + c.byteLength, 0);
  }

  /** Compacts the first `rows` rows into one exact-size array and releases the chunks. */
  finish(rows: number): Column {
    const out = new this.ctor(rows * this.width);
    const chunkElems = (this.mask + 1) * this.width;
    for (let i = 0; i < this.chunks.length && i * chunkElems < out.length; i++) {
      const take = Math.min(chunkElems, out.length - i * chunkElems);
      out.set(take === chunkElems ? this.chunks[i] : this.chunks[i].subarray(0, take), i * chunkElems);
      this.chunks[i] = EMPTY; // drop as we go so the old chunk can be collected before the next copy
    }
    this.chunks = [];
    return out;
  }
}

const EMPTY = new Float32Array(0);

/** A column of one spec feature: encodes raw logged values through the shared encoder. */
export class FeatureColumn extends ChunkedColumn {
  readonly feature: Feature;

  constructor(feature: Feature, chunkRows: number) {
    super(feature.type === 'categorical' ? Int32Array : Float32Array, featureWidth(feature), chunkRows);
    this.feature = feature;
  }

  /** Encodes `raw` (undefined/null = missing -> default) at `row`; returns the encoder's problem or null. */
  encode(row: number, raw: unknown): string | null {
    return encodeValueInto(this.feature, raw, this.chunkFor(row), this.offsetOf(row));
  }
}
