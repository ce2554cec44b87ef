// Fixed-width rows of 32-bit words (embeddings, encoded store rows) packed in one growable buffer, with an LRU from item id to slot.
import { LRUCache } from 'lru-cache';

const INITIAL_SLOTS = 1024;

export interface RowSlabOptions {
  /** Rows kept (least recently used go first). */
  readonly max: number;
  /** Lifetime of a row in ms (0 = no expiry). @default 0 */
  readonly ttlMs?: number;
  /** Clock for the lifetime (tests pass a fake one). @default performance */
  readonly perf?: { now(): number };
}

/**
 * An LRU of fixed-width rows in contiguous memory; the width is fixed at construction, or by the first `put`.
 * `floats` and `words` view the same buffer, so a row can be read as numbers or copied bit for bit.
 */
export class RowSlab {
  #width: number;
  #floats = new Float32Array(0);
  #words = new Int32Array(0);
  #next = 0;
  readonly #free: number[] = [];
  readonly #slots: LRUCache<string, number>;

  constructor(options: RowSlabOptions, width = 0) {
    this.#width = width;
    const { max, ttlMs = 0, perf } = options;
    const ttl = ttlMs > 0 ? { ttl: ttlMs, ...(perf ? { perf, ttlResolution: 0 } : {}) } : {};
    this.#slots = new LRUCache<string, number>({ max, ...ttl, dispose: (slot) => void this.#free.push(slot) });
  }

  /** Words per row (0 before the first row when not fixed at construction). */
  get width(): number {
    return this.#width;
  }

  /** The rows as float32 (valid until the next `allocate` or `put`, which may grow the buffer). */
  get floats(): Float32Array {
    return this.#floats;
  }

  /** The rows as raw 32-bit words (same buffer as `floats`). */
  get words(): Int32Array {
    return this.#words;
  }

  /** Slot of an item's row, or -1. A slot stays valid until the next `allocate` or `put` (which may evict it). */
  slot(itemId: string): number {
    return this.#slots.get(itemId) ?? -1;
  }

  /** The slot to write an item's row into (its old one, or a new one): words `[slot * width, (slot + 1) * width)`. */
  allocate(itemId: string): number {
    let slot = this.#slots.get(itemId);
    if (slot === undefined) {
      slot = this.#free.pop() ?? this.#next++;
      this.#grow(slot + 1);
      this.#slots.set(itemId, slot);
    }
    return slot;
  }

  /** Stores an embedding; one of another width than the first is not cached (returns false). */
  put(itemId: string, embedding: ArrayLike<number>): boolean {
    if (this.#width === 0) this.#width = embedding.length;
    if (embedding.length !== this.#width || this.#width === 0) return false;
    const at = this.allocate(itemId) * this.#width; // before reading #floats: allocate may grow it
    this.#floats.set(embedding, at);
    return true;
  }

  #grow(slots: number): void {
    const needed = slots * this.#width;
    if (needed <= this.#floats.length) return;
    const grown = new Float32Array(Math.max(needed, this.#floats.length * 2, INITIAL_SLOTS * this.#width));
    grown.set(this.#floats);
    this.#floats = grown;
    this.#words = new Int32Array(grown.buffer);
  }

  /** Dot products of `context` with the rows in `slots` as floats (slot -1, or a width mismatch, scores 0). */
  dot(context: ArrayLike<number>, slots: Int32Array, rows: number, out = new Float32Array(rows)): Float32Array {
    const d = this.#width;
    if (context.length !== d) return out;
    const data = this.#floats;
    for (let i = 0; i < rows; i++) {
      const slot = slots[i];
      if (slot < 0) continue;
      const base = slot * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += context[j] * data[base + j];
      out[i] = s;
    }
    return out;
  }

  clear(): void {
    this.#slots.clear();
    this.#free.length = 0;
    this.#next = 0;
  }
}
