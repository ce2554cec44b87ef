// Row order by descending score (ties keep input order, NaN last) with a top-k selection and one native typed-array
// sort: the one ranking of the library, used by serving (keep the top k) and by the quality metrics.

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
