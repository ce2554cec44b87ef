// Item embeddings packed in one growable Float32Array, with an LRU from item id to slot: contiguous memory for the dot products.
import { LRUCache } from 'lru-cache';

const INITIAL_SLOTS = 1024;

/** An LRU of fixed-width embeddings; the width is set by the first embedding stored. */
export class EmbeddingSlab {
  #dim = 0;
  #data = new Float32Array(0);
  #next = 0;
  readonly #free: number[] = [];
  readonly #slots: LRUCache<string, number>;

  constructor(max: number) {
    this.#slots = new LRUCache<string, number>({ max, dispose: (slot) => void this.#free.push(slot) });
  }

  /** Width of the stored embeddings (0 before the first one). */
  get dim(): number {
    return this.#dim;
  }

  /** Slot of an item's embedding, or -1. A slot stays valid until the next `put` (which may evict it). */
  slot(itemId: string): number {
    return this.#slots.get(itemId) ?? -1;
  }

  /** Stores an embedding; one of another width than the first is not cached (returns false). */
  put(itemId: string, embedding: ArrayLike<number>): boolean {
    if (this.#dim === 0) this.#dim = embedding.length;
    if (embedding.length !== this.#dim || this.#dim === 0) return false;
    let slot = this.#slots.get(itemId);
    if (slot === undefined) {
      slot = this.#free.pop() ?? this.#next++;
      this.#grow(slot + 1);
      this.#slots.set(itemId, slot);
    }
    const d = this.#dim;
    for (let j = 0; j < d; j++) this.#data[slot * d + j] = embedding[j];
    return true;
  }

  #grow(slots: number): void {
    const needed = slots * this.#dim;
    if (needed <= this.#data.length) return;
    const grown = new Float32Array(Math.max(needed, this.#data.length * 2, INITIAL_SLOTS * this.#dim));
    grown.set(this.#data);
    this.#data = grown;
  }

  /** Dot products of `context` with the embeddings in `slots` (slot -1, or a width mismatch, scores 0). */
  dot(context: ArrayLike<number>, slots: Int32Array, rows: number, out = new Float32Array(rows)): Float32Array {
    const d = this.#dim;
    if (context.length !== d) return out;
    const data = this.#data;
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
