// Minibatches for training: R requests x C sampled candidates as flat rows (context replicated per row), with the
// task target, the teacher probability (pointwise distillation) and the per-request teacher softmax (listwise).
import type { Feature } from '../../schema/feature-spec.js';
import { featureWidth } from '../../schema/feature-spec.js';
import { gatherRows } from '../../graph/batches.js';
import type { Feeds } from '../../graph/runtime.js';
import type { Rng } from '../../util/random.js';
import type { Column, Dataset } from './dataset-types.js';

/** How teacher scores become probabilities and logits: scores in [0, 1] are probabilities, others logits. */
export interface TeacherScale {
  readonly probabilities: boolean;
}

export function teacherScale(teacher: Float32Array): TeacherScale {
  let probabilities = true;
  for (let i = 0; i < teacher.length && probabilities; i++) probabilities = teacher[i] >= 0 && teacher[i] <= 1;
  return { probabilities };
}

const EPS = 1e-6;

export function teacherProb(scale: TeacherScale, t: number): number {
  return scale.probabilities ? t : 1 / (1 + Math.exp(-t));
}

export function teacherLogit(scale: TeacherScale, t: number): number {
  if (!scale.probabilities) return t;
  const p = Math.min(Math.max(t, EPS), 1 - EPS);
  return Math.log(p / (1 - p));
}

/** One minibatch: feeds for the feature inputs plus the loss targets. */
export interface Batch {
  readonly feeds: Record<string, Feeds[string]>;
  readonly rows: number;
}

/** Draws minibatches of whole-request candidate samples from a dataset, deterministically from `rng`. */
export class BatchSampler {
  readonly requestsPerBatch: number;
  readonly candidatesPerRequest: number;
  private readonly order: Int32Array;
  private cursor: number;
  private readonly rowIndex: Int32Array;
  private readonly reqIndex: Int32Array;

  constructor(
    private readonly dataset: Dataset,
    private readonly features: readonly Feature[],
    private readonly scale: TeacherScale,
    requestsPerBatch: number,
    candidatesPerRequest: number,
    private readonly rng: Rng,
  ) {
    this.requestsPerBatch = requestsPerBatch;
    this.candidatesPerRequest = candidatesPerRequest;
    this.order = Int32Array.from({ length: dataset.requests }, (_, i) => i);
    this.cursor = this.order.length;
    const n = requestsPerBatch * candidatesPerRequest;
    this.rowIndex = new Int32Array(n);
    this.reqIndex = new Int32Array(n);
  }

  /** Rows per batch. */
  get batchRows(): number {
    return this.rowIndex.length;
  }

  /** Batches per epoch: about as many sampled rows as the dataset holds. */
  stepsPerEpoch(): number {
    return Math.max(1, Math.ceil(this.dataset.rows / this.batchRows));
  }

  private nextRequest(): number {
    if (this.cursor >= this.order.length) {
      for (let i = this.order.length - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
      }
      this.cursor = 0;
    }
    return this.order[this.cursor++];
  }

  private sampleRows(): void {
    const c = this.candidatesPerRequest;
    let pos = 0;
    for (let r = 0; r < this.requestsPerBatch; r++) {
      const q = this.nextRequest();
      const start = this.dataset.requestOffsets[q];
      const n = this.dataset.requestOffsets[q + 1] - start;
      if (n >= c) {
        // Floyd's sampling of c distinct rows out of n, then sorted for locality.
        const chosen = new Set<number>();
        for (let j = n - c; j < n; j++) {
          const t = this.rng.int(j + 1);
          chosen.add(chosen.has(t) ? j : t);
        }
        const sorted = [...chosen].sort((a, b) => a - b);
        for (const k of sorted) (this.rowIndex[pos] = start + k), (this.reqIndex[pos++] = q);
      } else {
        for (let k = 0; k < c; k++) (this.rowIndex[pos] = start + (k < n ? k : this.rng.int(Math.max(n, 1)))), (this.reqIndex[pos++] = q);
      }
    }
  }

  /** The next minibatch. */
  next(): Batch {
    this.sampleRows();
    const feeds: Record<string, Feeds[string]> = {};
    const rows = this.rowIndex.length;
    for (const f of this.features) {
      const w = featureWidth(f);
      const ctx = f.side === 'context';
      const col = (ctx ? this.dataset.context : this.dataset.columns).get(f.name) as Column;
      const out = col instanceof Int32Array ? new Int32Array(rows * w) : new Float32Array(rows * w);
      gatherRows(col, w, ctx ? this.reqIndex : this.rowIndex, 0, rows, out);
      feeds[f.name] = { data: out, dims: f.type === 'categorical' ? [rows] : [rows, w] };
    }
    Object.assign(feeds, this.targets());
    return { feeds, rows };
  }

  private targets(): Record<string, Feeds[string]> {
    const rows = this.rowIndex.length;
    const target = new Float32Array(rows);
    const tprob = new Float32Array(rows);
    const tlist = new Float32Array(rows);
    const { teacher, labels } = this.dataset;
    for (let i = 0; i < rows; i++) {
      const r = this.rowIndex[i];
      tprob[i] = teacherProb(this.scale, teacher[r]);
      target[i] = Number.isNaN(labels[r]) ? tprob[i] : labels[r];
    }
    const c = this.candidatesPerRequest;
    for (let s = 0; s < rows; s += c) {
      let max = -Infinity;
      for (let i = s; i < s + c; i++) max = Math.max(max, teacherLogit(this.scale, teacher[this.rowIndex[i]]));
      let sum = 0;
      for (let i = s; i < s + c; i++) sum += tlist[i] = Math.exp(teacherLogit(this.scale, teacher[this.rowIndex[i]]) - max);
      for (let i = s; i < s + c; i++) tlist[i] /= sum;
    }
    return {
      target: { data: target, dims: [rows] },
      teacher_prob: { data: tprob, dims: [rows] },
      teacher_list: { data: tlist, dims: [rows] },
    };
  }
}

/** Feeds for every row of requests [first, last) in rows layout (context replicated), for scoring. */
export function rowFeeds(dataset: Dataset, features: readonly Feature[], first: number, last: number): Batch {
  const start = dataset.requestOffsets[first];
  const end = dataset.requestOffsets[last];
  const rows = end - start;
  const feeds: Record<string, Feeds[string]> = {};
  for (const f of features) {
    const w = featureWidth(f);
    const dims = f.type === 'categorical' ? [rows] : [rows, w];
    if (f.side !== 'context') {
      feeds[f.name] = { data: (dataset.columns.get(f.name) as Column).subarray(start * w, end * w), dims };
      continue;
    }
    const col = dataset.context.get(f.name) as Column;
    const out = col instanceof Int32Array ? new Int32Array(rows * w) : new Float32Array(rows * w);
    for (let q = first; q < last; q++) {
      const value = col.subarray(q * w, (q + 1) * w);
      for (let r = dataset.requestOffsets[q]; r < dataset.requestOffsets[q + 1]; r++) out.set(value, (r - start) * w);
    }
    feeds[f.name] = { data: out, dims };
  }
  return { feeds, rows };
}
