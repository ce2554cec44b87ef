// Minibatches from columnar typed arrays: row indices are gathered into fresh batch buffers (no per-row objects).
import { autofasError } from '../schema/errors.js';
import type { TensorData } from './builder.js';
import type { Feeds } from './runtime.js';
import type { Rng } from '../util/random.js';

/** One column: `width` consecutive values per row in `data` (row-major). */
export interface Column {
  readonly data: TensorData;
  /** Values per row. @default 1 */
  readonly width?: number;
  /** Per-row dims of the fed tensor. @default [] when width is 1, else [width] */
  readonly rowDims?: readonly number[];
}

/** Options for minibatches. */
export interface MinibatchOptions {
  /** Rows per batch. */
  readonly batchSize: number;
  /** Row subset to draw from (e.g. a train split). @default all rows */
  readonly rows?: Int32Array | Uint32Array;
  /** Shuffle order with this generator; no shuffling when omitted. @default undefined */
  readonly rng?: Rng;
  /** Skip a final partial batch. @default false */
  readonly dropLast?: boolean;
}

/** Copies rows `rows[start .. start+count)` of a width-`width` column into `out` (length count*width). */
export function gatherRows<T extends TensorData>(src: T, width: number, rows: ArrayLike<number>, start: number, count: number, out: T): T {
  if (width === 1) {
    for (let i = 0; i < count; i++) out[i] = src[rows[start + i]];
    return out;
  }
  for (let i = 0; i < count; i++) {
    const from = rows[start + i] * width;
    (out as Float32Array).set((src as Float32Array).subarray(from, from + width), i * width);
  }
  return out;
}

function rowCount(columns: Readonly<Record<string, Column>>): number {
  const counts = Object.entries(columns).map(([name, c]) => {
    const width = c.width ?? 1;
    if (c.data.length % width !== 0) throw autofasError('ERR_AUTOFAS_GRAPH', `column ${name}: length not a multiple of width`);
    return c.data.length / width;
  });
  if (counts.length === 0 || counts.some((n) => n !== counts[0])) {
    throw autofasError('ERR_AUTOFAS_GRAPH', 'minibatches: columns must be non-empty and have the same row count', { counts });
  }
  return counts[0];
}

/** One epoch of feeds `{ [column]: { data, dims: [rows, ...rowDims] } }`. */
export function* minibatches(columns: Readonly<Record<string, Column>>, options: MinibatchOptions): Generator<Feeds> {
  const { batchSize, rng, dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw autofasError('ERR_AUTOFAS_GRAPH', `batchSize must be >= 1, got ${batchSize}`);
  const n = rowCount(columns);
  const order = options.rows ? Int32Array.from(options.rows) : Int32Array.from({ length: n }, (_, i) => i);
  rng?.shuffle(order);
  for (let start = 0; start < order.length; start += batchSize) {
    const count = Math.min(batchSize, order.length - start);
    if (dropLast && count < batchSize) break;
    const feeds: Record<string, { data: TensorData; dims: number[] }> = {};
    for (const [name, c] of Object.entries(columns)) {
      const width = c.width ?? 1;
      const out = new (c.data.constructor as new (n: number) => TensorData)(count * width);
      gatherRows(c.data, width, order, start, count, out);
      feeds[name] = { data: out, dims: [count, ...(c.rowDims ?? (width === 1 ? [] : [width]))] };
    }
    yield feeds;
  }
}
