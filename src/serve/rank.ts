// The kept candidate lists: the scored rows by score (util/order-by-score.ts), the unscored tail, matching order.
import { orderByScore } from '../util/order-by-score.js';
import type { Candidate } from './types.js';

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
