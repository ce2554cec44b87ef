// Row order by descending score (ties keep input order, NaN last) with a top-k selection and one native typed-array
// sort: the one ranking of the library, used by serving (keep the top k) and by the quality metrics.

/** Most rows `orderByScore` can rank (the row index lives in the low 21 bits of the sort key). */
const MAX_RANKED_ROWS = 1 << 21;

/** Scratch of the scores' rank keys (float32 written, its bits read as uint32) and of the selection. */
let floats = new Float32Array(0);
let keys = new Uint32Array(0);
let selection = new Uint32Array(0);

/**
 * The `top` best row indices by descending score (all rows by default); NaN ranks last; equal scores (0 and -0
 * included) keep their input order. Only the kept order is materialised: each score becomes an unsigned key that
 * orders like it, a quickselect finds the key of the `top`-th row, and only the kept rows are sorted.
 */
export function orderByScore(scores: Float32Array, top = scores.length): Uint32Array {
  const n = scores.length;
  const kept = Math.max(0, Math.min(top, n));
  const rank = rankKeys(scores);
  const threshold = kept > 0 && kept < n ? kthLargest(rank, n, kept) : 0;
  const sortable = new Float64Array(kept);
  let m = 0;
  // Rows above the threshold, then rows at it in input order until `kept` (ties keep input order).
  for (let i = 0; i < n; i++) if (rank[i] > threshold) sortable[m++] = sortKey(rank[i], i);
  for (let i = 0; i < n && m < kept; i++) if (rank[i] === threshold) sortable[m++] = sortKey(threshold, i);
  sortable.sort();
  const order = new Uint32Array(kept);
  for (let r = 0; r < kept; r++) {
    const key = sortable[r];
    order[r] = key - Math.floor(key / MAX_RANKED_ROWS) * MAX_RANKED_ROWS;
  }
  return order;
}

/** Per row, an unsigned key in score order: NaN 0 (last), -0 as 0, otherwise the float's bits made monotone. */
function rankKeys(scores: Float32Array): Uint32Array {
  const n = scores.length;
  if (floats.length < n) {
    floats = new Float32Array(Math.max(n, 2 * floats.length));
    keys = new Uint32Array(floats.buffer);
    selection = new Uint32Array(floats.length);
  }
  floats.set(scores);
  const u = keys;
  for (let i = 0; i < n; i++) {
    const b = u[i];
    if ((b & 0x7fffffff) > 0x7f800000) u[i] = 0; // NaN
    else if (b === 0x80000000) u[i] = 0x80000000; // -0 ranks as 0
    else u[i] = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
  }
  return u;
}

/** A float64 that sorts ascending as (key descending, row ascending): 32 + 21 bits < 53, held exactly. */
function sortKey(key: number, row: number): number {
  return (0xffffffff - key) * MAX_RANKED_ROWS + row;
}

/** The k-th largest of the first `n` keys (1 <= k < n), by quickselect on a scratch copy (median-of-three pivots). */
function kthLargest(rank: Uint32Array, n: number, k: number): number {
  const a = selection;
  a.set(rank.subarray(0, n));
  const target = k - 1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo], y = a[mid], z = a[hi];
    const pivot = x > y ? (y > z ? y : x > z ? z : x) : x > z ? x : y > z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}
