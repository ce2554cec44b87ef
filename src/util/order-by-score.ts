// Row order by descending score (ties keep input order, NaN last) with a top-k selection and one native typed-array
// sort: the one ranking of the library, used by serving (keep the top k) and by the quality metrics.

/** Most rows `orderByScore` can rank (the row index lives in the low 21 bits of the sort key). */
const MAX_RANKED_ROWS = 1 << 21;

const bits = new Uint32Array(1);
const asFloat = new Float32Array(bits.buffer);

/**
 * The `top` best row indices by descending score (all rows by default); NaN ranks last; equal scores keep their input
 * order. Only the kept order is materialised: for a small `top`, a selection of the threshold score, then a sort of
 * the kept rows' keys.
 */
export function orderByScore(scores: Float32Array, top = scores.length): Uint32Array {
  const n = scores.length;
  const kept = Math.max(0, Math.min(top, n));
  if (kept >= n / 2) return sortedKeys(scores, kept);
  const threshold = kthLargest(scores, kept);
  const keys = new Float64Array(kept);
  let m = 0;
  // Rows above the threshold, then rows at it in input order until `kept` (ties keep input order).
  for (let i = 0; i < n; i++) if (rankValue(scores[i]) > threshold) keys[m++] = sortKey(scores[i], i);
  for (let i = 0; i < n && m < kept; i++) if (rankValue(scores[i]) === threshold) keys[m++] = sortKey(scores[i], i);
  keys.sort();
  return decode(keys, kept);
}

/** The value a score ranks by: NaN as -Infinity, -0 as 0. */
function rankValue(score: number): number {
  return Number.isNaN(score) ? -Infinity : score + 0;
}

/** A float64 that sorts ascending as (score descending, row ascending): 32 + 21 bits < 53, held exactly. */
function sortKey(score: number, row: number): number {
  asFloat[0] = rankValue(score);
  const u = bits[0];
  const ascending = u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
  return (0xffffffff - ascending) * MAX_RANKED_ROWS + row;
}

/** Every row's key, sorted natively. */
function sortedKeys(scores: Float32Array, kept: number): Uint32Array {
  const keys = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) keys[i] = sortKey(scores[i], i);
  keys.sort();
  return decode(keys, kept);
}

function decode(keys: Float64Array, kept: number): Uint32Array {
  const order = new Uint32Array(kept);
  for (let i = 0; i < kept; i++) order[i] = keys[i] % MAX_RANKED_ROWS;
  return order;
}

let scratch = new Float32Array(0);

/** The k-th largest rank value (k >= 1), by quickselect on a scratch copy (median-of-three pivots). */
function kthLargest(scores: Float32Array, k: number): number {
  const n = scores.length;
  if (scratch.length < n) scratch = new Float32Array(Math.max(n, 2 * scratch.length));
  const a = scratch;
  for (let i = 0; i < n; i++) a[i] = rankValue(scores[i]);
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
