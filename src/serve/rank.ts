// Orders candidates by score (descending, ties keep matching order) with one native typed-array sort, and truncates.
import type { Candidate } from './types.js';

/** Most rows `orderByScore` can rank (the row index lives in the low 21 bits of the sort key). */
const MAX_RANKED_ROWS = 1 << 21;

const bits = new Uint32Array(1);
const asFloat = new Float32Array(bits.buffer);

/**
 * The `top` best row indices by descending score (all rows by default); NaN ranks last; equal scores keep their input
 * order. Only the kept order is materialised: a selection step, then a sort of the top.
 */
export function orderByScore(scores: Float32Array, top = scores.length): Uint32Array {
  const n = scores.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    asFloat[0] = Number.isNaN(scores[i]) ? -Infinity : scores[i] + 0; // + 0 turns -0 into 0 (a tie)
    const u = bits[0];
    const ascending = u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
    // A float64 holds (descending key, row) exactly: 32 + 21 bits < 53.
    keys[i] = (0xffffffff - ascending) * MAX_RANKED_ROWS + i;
  }
  if (top < n / 2) {
    selectSmallest(keys, top);
    keys.subarray(0, top).sort();
  } else {
    keys.sort();
  }
  const kept = Math.min(top, n);
  const order = new Uint32Array(kept);
  for (let i = 0; i < kept; i++) order[i] = keys[i] % MAX_RANKED_ROWS;
  return order;
}

/** Moves the `k` smallest keys (all distinct) to the front, in any order (quickselect, median-of-three pivots). */
function selectSmallest(keys: Float64Array, k: number): void {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const a = keys[lo], b = keys[mid], c = keys[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (keys[i] < pivot) i++;
      while (keys[j] > pivot) j--;
      if (i <= j) {
        const t = keys[i];
        keys[i++] = keys[j];
        keys[j--] = t;
      }
    }
    if (k - 1 <= j) hi = j;
    else if (k - 1 >= i) lo = i;
    else return;
  }
}

/**
 * The kept list: the scored rows by score (each gets `preRankScore`), then the unscored tail in matching order,
 * truncated to `keep`.
 */
export function keepTop(candidates: readonly Candidate[], scores: Float32Array, keep: number, order = orderByScore(scores)): Candidate[] {
  const scored = scores.length;
  const total = Math.min(keep, candidates.length);
  const kept: Candidate[] = new Array(total);
  for (let r = 0; r < total; r++) {
    if (r < scored) {
      const c = candidates[order[r]];
      c.preRankScore = scores[order[r]];
      kept[r] = c;
    } else {
      const c = candidates[r];
      c.preRankScore = undefined;
      kept[r] = c;
    }
  }
  return kept;
}

/** Matching order, truncated to `keep` (no scores). */
export function keepMatchingOrder(candidates: readonly Candidate[], keep: number): Candidate[] {
  const kept = candidates.slice(0, keep);
  for (const c of kept) if (typeof c === 'object' && c !== null) c.preRankScore = undefined;
  return kept;
}

/** Overlap@K of two orders over the same rows: |top-K(a) ∩ top-K(b)| / K. */
export function overlapOfOrders(a: Uint32Array, b: Uint32Array, k: number): number {
  const n = Math.min(k, a.length, b.length);
  if (n === 0) return 1;
  const inA = new Set(a.subarray(0, n));
  let shared = 0;
  for (let i = 0; i < n; i++) if (inA.has(b[i])) shared++;
  return shared / n;
}
