// Fixed-width rows of 32-bit words (embeddings, encoded store rows) packed in one growable buffer, keyed by item id.

const INITIAL_SLOTS = 1024;

export interface RowSlabOptions {
  /** Rows kept; beyond it, rows not read since the clock hand last passed them are replaced first. */
  readonly max: number;
  /** Lifetime of a row in ms (0 = no expiry). @default 0 */
  readonly ttlMs?: number;
  /** Clock for the lifetime (tests pass a fake one). @default performance */
  readonly perf?: { now(): number };
  /**
   * Rows in shared memory, so worker threads can copy them (see row-gather.ts). The width must be given at
   * construction; address space for `max` rows is reserved up front (pages are used as rows come). A lookup can then
   * hold the rows it found (see `hold`) until a worker has copied them. @default false
   */
  readonly shared?: boolean;
}

/**
 * A cache of fixed-width rows in contiguous memory; the width is fixed at construction, or by the first `put`.
 * `floats` and `words` view the same buffer, so a row can be read as numbers or copied bit for bit. Eviction is the
 * CLOCK approximation of LRU: a hit only sets a bit (a lookup is one `Map.get`, no reordering), and a full slab
 * replaces the first row whose bit is clear, clearing bits as the hand passes.
 */
export class RowSlab {
  #width: number;
  #floats: Float32Array = new Float32Array(0);
  #words: Int32Array = new Int32Array(0);
  /** Shared mode: the rows' memory, grown in place (`#floats` and `#words` are made again after each growth). */
  readonly #shared: SharedArrayBuffer | null;
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #perf: { now(): number };
  readonly #slots = new Map<string, number>();
  /** Per slot: its item id, whether it was read since the hand passed, when it was written. */
  #ids: (string | undefined)[] = [];
  #used = new Uint8Array(0);
  #written = new Float64Array(0);
  #hand = 0;
  /** Per slot: the last hold that found its row (0: none); a slot is not replaced while that hold is open. */
  #heldBy = new Float64Array(0);
  /** Holds not yet ended, oldest first (see `hold`). */
  readonly #holds = new Set<number>();
  #lastHold = 0;
  /** Set when the hand found every row held: no row is replaced until the oldest hold ends (no scan per miss). */
  #allHeld = false;

  constructor(options: RowSlabOptions, width = 0) {
    this.#width = width;
    this.#max = Math.max(1, options.max);
    this.#ttlMs = options.ttlMs ?? 0;
    this.#perf = options.perf ?? performance;
    this.#shared = options.shared ? sharedRows(this.#max * width * 4) : null;
  }

  /** The rows' shared memory (null unless the slab was made `shared` and the memory could be reserved). */
  get sharedRows(): SharedArrayBuffer | null {
    return this.#shared;
  }

  /**
   * Opens a hold: rows that `slotsOf` finds under it keep their slots and contents until `release(hold)`, so a worker
   * can copy them after the lookup (a slab that only has held rows left caches no new row meanwhile).
   */
  hold(): number {
    const hold = ++this.#lastHold;
    this.#holds.add(hold);
    return hold;
  }

  release(hold: number): void {
    if (hold === this.#oldestHold()) this.#allHeld = false; // only then can a held row become free
    this.#holds.delete(hold);
  }

  /** The oldest hold still open (holds open in order, so it is the set's first), or Infinity. */
  #oldestHold(): number {
    return this.#holds.size === 0 ? Infinity : (this.#holds.values().next().value as number);
  }

  /** Whether a hold still open may read the row in `slot`: the last hold that found it is not older than the oldest open. */
  #held(slot: number, oldest: number): boolean {
    const by = this.#heldBy[slot];
    return by > 0 && by >= oldest;
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

  /** Slot of an item's row, or -1. A slot stays valid until the next `allocate` or `put` (which may replace it). */
  slot(itemId: string): number {
    const slot = this.#slots.get(itemId);
    if (slot === undefined || this.#expired(slot, this.#now())) return -1;
    this.#used[slot] = 1;
    return slot;
  }

  /**
   * `slot` for the first `rows` ids at once, into `out`; returns how many missed. Every id is looked up first, then
   * lifetimes are checked and reads marked: the lookups run back to back, so their memory reads overlap instead of
   * each waiting behind the previous row's lifetime check.
   */
  slotsOf(itemIds: readonly string[], rows: number, out: Int32Array, hold = 0): number {
    const slots = this.#slots;
    for (let i = 0; i < rows; i++) out[i] = slots.get(itemIds[i]) ?? -1;
    const now = this.#now();
    let misses = 0;
    for (let i = 0; i < rows; i++) {
      const slot = out[i];
      if (slot < 0 || this.#expired(slot, now)) {
        out[i] = -1;
        misses++;
      } else {
        this.#used[slot] = 1;
        if (hold > 0) this.#heldBy[slot] = hold;
      }
    }
    return misses;
  }

  /** The clock reading lifetimes are compared against (0 without a lifetime: no clock read). */
  #now(): number {
    return this.#ttlMs > 0 ? this.#perf.now() : 0;
  }

  #expired(slot: number, now: number): boolean {
    return this.#ttlMs > 0 && now - this.#written[slot] > this.#ttlMs;
  }

  /**
   * The slot to write an item's row into (its old one, or a free or replaced one): words `[slot * width, (slot + 1) *
   * width)`; -1 when the row is not to be cached (its old slot, or every replaceable one, is held: see `hold`).
   */
  allocate(itemId: string): number {
    let slot = this.#slots.get(itemId);
    if (slot !== undefined && this.#held(slot, this.#oldestHold())) return -1; // a worker may still copy the old row: it is not rewritten
    if (slot === undefined) {
      slot = this.#slots.size < this.#max ? this.#slots.size : this.#victim();
      if (slot < 0) return -1;
      this.#grow(slot + 1);
      this.#slots.set(itemId, slot);
      this.#ids[slot] = itemId;
    }
    this.#used[slot] = 1;
    if (this.#ttlMs > 0) this.#written[slot] = this.#perf.now();
    return slot;
  }

  /**
   * The first slot under the clock hand not read since the hand last passed it, nor held; its item leaves the slab.
   * -1 when two turns of the hand find none (every row held).
   */
  #victim(): number {
    if (this.#allHeld) return -1;
    const oldest = this.#oldestHold();
    for (let step = 0; step < 2 * this.#max; step++) {
      const slot = this.#hand;
      this.#hand = (this.#hand + 1) % this.#max;
      if (this.#used[slot]) {
        this.#used[slot] = 0;
        continue;
      }
      if (this.#held(slot, oldest)) continue;
      this.#slots.delete(this.#ids[slot] as string);
      return slot;
    }
    this.#allHeld = true;
    return -1;
  }

  /** Stores an embedding; one of another width than the first is not cached (returns false). */
  put(itemId: string, embedding: ArrayLike<number>): boolean {
    if (this.#width === 0) this.#width = embedding.length;
    if (embedding.length !== this.#width || this.#width === 0) return false;
    const slot = this.allocate(itemId); // before reading #floats: allocate may grow it
    if (slot < 0) return false;
    this.#floats.set(embedding, slot * this.#width);
    return true;
  }

  #grow(slots: number): void {
    if (slots > this.#used.length) {
      const n = Math.min(this.#max, Math.max(slots, this.#used.length * 2, INITIAL_SLOTS));
      const used = new Uint8Array(n);
      used.set(this.#used);
      const written = new Float64Array(n);
      written.set(this.#written);
      const heldBy = new Float64Array(n);
      heldBy.set(this.#heldBy);
      this.#used = used;
      this.#written = written;
      this.#heldBy = heldBy;
    }
    const needed = slots * this.#width;
    if (needed <= this.#floats.length) return;
    if (this.#shared) {
      // Grown in place, so rows a worker is copying do not move. Views of a fixed length, made again after each growth:
      // element access through views that follow the buffer's length is several times slower.
      this.#shared.grow(4 * Math.min(this.#max * this.#width, Math.max(needed, this.#floats.length * 2, INITIAL_SLOTS * this.#width)));
      this.#floats = new Float32Array(this.#shared, 0, this.#shared.byteLength / 4);
      this.#words = new Int32Array(this.#shared, 0, this.#shared.byteLength / 4);
      return;
    }
    const grown = new Float32Array(Math.max(needed, Math.min(this.#max * this.#width, Math.max(this.#floats.length * 2, INITIAL_SLOTS * this.#width))));
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

  /** Forgets every row (not for a shared slab whose rows a worker may be copying: only the vector scorer clears). */
  clear(): void {
    this.#allHeld = false;
    this.#slots.clear();
    this.#ids = [];
    this.#used.fill(0);
    this.#hand = 0;
  }
}

/** Growable shared memory of at most `maxBytes`, or null when that much address space cannot be reserved. */
function sharedRows(maxBytes: number): SharedArrayBuffer | null {
  if (maxBytes <= 0) return null;
  try {
    const rows = new SharedArrayBuffer(0, { maxByteLength: maxBytes });
    return rows.growable ? rows : null;
  } catch {
    return null; // RangeError: more than the platform lets one buffer reserve
  }
}
