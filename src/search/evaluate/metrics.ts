// Pre-ranking quality metrics over per-request candidate lists: Recall@K vs the teacher, NDCG@K, AUC on labels.
import { orderByScore } from '../../util/order-by-score.js';

/** Scores of a set of requests laid out flat: request r owns rows offsets[r] .. offsets[r+1]. */
export interface RankedLists {
  readonly offsets: Int32Array;
  /** The model's scores, one per row. */
  readonly scores: ArrayLike<number>;
  /** The teacher's (ranking model's) scores, one per row. */
  readonly teacher: ArrayLike<number>;
}

/** Rows [start, end) by descending score (orderByScore: ties keep the lower row first), relative to `start`. */
function rowsByScore(scores: ArrayLike<number>, start: number, end: number): Uint32Array {
  return orderByScore(Float32Array.from({ length: end - start }, (_, i) => scores[start + i]));
}

/**
 * Recall of one request: the share of the teacher's top `top` candidates that the model keeps in its top `k`.
 * A request with no more than `k` candidates keeps everything (recall 1).
 */
export function requestRecall(lists: RankedLists, r: number, k: number, top: number): number {
  const start = lists.offsets[r];
  const end = lists.offsets[r + 1];
  const n = end - start;
  if (n === 0) return Number.NaN;
  if (n <= k) return 1;
  const wanted = Math.min(top, n);
  const teacherTop = rowsByScore(lists.teacher, start, end).subarray(0, wanted);
  const kept = new Uint8Array(n);
  const modelTop = rowsByScore(lists.scores, start, end);
  for (let i = 0; i < k; i++) kept[modelTop[i]] = 1;
  let hits = 0;
  for (const i of teacherTop) hits += kept[i];
  return hits / wanted;
}

/** Recall@K averaged over requests (empty requests are skipped): the pre-ranking recall of COLD and AutoFAS. */
export function recallAtK(lists: RankedLists, k: number, top: number): number {
  return meanOverRequests(lists, (r) => requestRecall(lists, r, k, top));
}

/**
 * Gains for NDCG from teacher scores: the scores themselves when none is negative (probabilities), otherwise
 * shifted so the request's lowest score has gain 0 (logits).
 */
function teacherGains(teacher: ArrayLike<number>, start: number, end: number): Float64Array {
  const gains = new Float64Array(end - start);
  let min = 0;
  for (let i = start; i < end; i++) min = Math.min(min, teacher[i]);
  for (let i = start; i < end; i++) gains[i - start] = teacher[i] - min;
  return gains;
}

function dcg(gains: Float64Array, order: Uint32Array, k: number): number {
  let sum = 0;
  const cut = Math.min(k, order.length);
  for (let i = 0; i < cut; i++) sum += gains[order[i]] / Math.log2(i + 2);
  return sum;
}

/** NDCG@K of one request with the teacher's scores as gains (NaN when every gain is 0). */
function requestNdcg(lists: RankedLists, r: number, k: number): number {
  const start = lists.offsets[r];
  const end = lists.offsets[r + 1];
  if (end === start) return Number.NaN;
  const gains = teacherGains(lists.teacher, start, end);
  const ideal = dcg(gains, rowsByScore(gains, 0, gains.length), k);
  if (ideal === 0) return Number.NaN;
  return dcg(gains, rowsByScore(lists.scores, start, end), k) / ideal;
}

/** NDCG@K averaged over requests (requests without gains are skipped). */
export function ndcgAtK(lists: RankedLists, k: number): number {
  return meanOverRequests(lists, (r) => requestNdcg(lists, r, k));
}

/**
 * Listwise distillation loss of each request: cross-entropy of softmax(model scores) against softmax(teacher logits)
 * over the request's whole candidate list (`teacherLogit` turns a logged teacher score into a logit). Finer than
 * Recall@K for comparing two models on a few requests; NaN for an empty request.
 */
export function requestListwiseLosses(lists: RankedLists, teacherLogit: (t: number) => number): Float64Array {
  const out = new Float64Array(lists.offsets.length - 1);
  for (let r = 0; r < out.length; r++) {
    const start = lists.offsets[r];
    const end = lists.offsets[r + 1];
    if (end === start) {
      out[r] = Number.NaN;
      continue;
    }
    const t = Float64Array.from({ length: end - start }, (_, i) => teacherLogit(lists.teacher[start + i]));
    const s = Float64Array.from({ length: end - start }, (_, i) => lists.scores[start + i]);
    const tMax = t.reduce((m, v) => Math.max(m, v), -Infinity);
    const sMax = s.reduce((m, v) => Math.max(m, v), -Infinity);
    let tSum = 0;
    let sSum = 0;
    for (let i = 0; i < t.length; i++) (tSum += Math.exp(t[i] - tMax)), (sSum += Math.exp(s[i] - sMax));
    const sLogZ = sMax + Math.log(sSum);
    let ce = 0;
    for (let i = 0; i < t.length; i++) ce -= (Math.exp(t[i] - tMax) / tSum) * (s[i] - sLogZ);
    out[r] = ce;
  }
  return out;
}

function meanOverRequests(lists: RankedLists, metric: (r: number) => number): number {
  let sum = 0;
  let count = 0;
  for (let r = 0; r < lists.offsets.length - 1; r++) {
    const value = metric(r);
    if (Number.isNaN(value)) continue;
    sum += value;
    count++;
  }
  return count === 0 ? Number.NaN : sum / count;
}

/**
 * ROC AUC of `scores` against binary `labels` (label > 0 is positive; NaN labels are skipped), with tied scores
 * counted as half (average ranks, Mann-Whitney U). NaN when there are no positives or no negatives.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const rows: number[] = [];
  for (let i = 0; i < labels.length; i++) if (!Number.isNaN(labels[i])) rows.push(i);
  rows.sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < rows.length; ) {
    let j = i;
    while (j < rows.length && scores[rows[j]] === scores[rows[i]]) j++;
    const averageRank = (i + 1 + j) / 2; // ranks i+1 .. j
    for (let t = i; t < j; t++) {
      if (labels[rows[t]] > 0) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j;
  }
  const negatives = rows.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
