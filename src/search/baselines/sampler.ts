// Training batches for the baselines: R requests x S candidates each (half from the teacher's head), with targets.
import { gatherRows } from '../../graph/batches.js';
import type { Feeds } from '../../graph/runtime.js';
import type { Rng } from '../../util/random.js';
import type { Dataset } from '../data/dataset-types.js';
import { orderByScore } from '../evaluate/metrics.js';
import type { InputPlan } from './feature-inputs.js';

/** Batch shape and sampling of the training loop. */
export interface SamplerConfig {
  /** Requests per batch (R). */
  readonly requests: number;
  /** Candidates sampled per request (S). */
  readonly sample: number;
  /** Share of the S candidates drawn from the teacher's top 2S of the request; the rest are uniform. */
  readonly headShare: number;
  /** Softmax temperature on standardised teacher scores for the listwise target. */
  readonly temperature: number;
}

export const TARGET_INPUT = 'target';
export const TARGET_PROBS_INPUT = 'target_probs';

/** Draws batches forever; each pass visits the requests in a fresh random order. */
export class RequestSampler {
  private readonly dataset: Dataset;
  private readonly plans: readonly InputPlan[];
  private readonly rng: Rng;
  private readonly config: SamplerConfig;
  private readonly teacherOrder: Int32Array;
  private readonly teacherZ: Float32Array;
  private queue: number[] = [];

  constructor(dataset: Dataset, plans: readonly InputPlan[], rng: Rng, config: SamplerConfig) {
    this.dataset = dataset;
    this.plans = plans;
    this.rng = rng;
    this.config = config;
    this.teacherOrder = new Int32Array(dataset.rows);
    for (let r = 0; r < dataset.requests; r++) {
      const start = dataset.requestOffsets[r];
      this.teacherOrder.set(orderByScore(dataset.teacher, start, dataset.requestOffsets[r + 1]), start);
    }
    this.teacherZ = standardise(dataset.teacher);
  }

  private nextRequest(): number {
    if (this.queue.length === 0) {
      const usable = [...Array(this.dataset.requests).keys()].filter((r) => this.dataset.requestOffsets[r + 1] > this.dataset.requestOffsets[r]);
      for (let i = usable.length - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        [usable[i], usable[j]] = [usable[j], usable[i]];
      }
      this.queue = usable;
    }
    return this.queue.pop() as number;
  }

  /** Row indices of one request's sample: headShare from the teacher's top 2S, the rest uniform (with replacement). */
  private sampleRows(r: number, out: Int32Array, at: number): void {
    const start = this.dataset.requestOffsets[r];
    const n = this.dataset.requestOffsets[r + 1] - start;
    const { sample, headShare } = this.config;
    const head = Math.min(n, 2 * sample);
    const fromHead = Math.round(sample * headShare);
    for (let i = 0; i < sample; i++) {
      out[at + i] = i < fromHead ? start + this.teacherOrder[start + this.rng.int(head)] : start + this.rng.int(n);
    }
  }

  /** The next batch: feature feeds with batch R*S (context rows repeated per candidate) plus both targets. */
  next(): Feeds {
    const { requests: R, sample: S, temperature } = this.config;
    const rows = new Int32Array(R * S);
    const requestOf = new Int32Array(R * S);
    for (let q = 0; q < R; q++) {
      const r = this.nextRequest();
      this.sampleRows(r, rows, q * S);
      requestOf.fill(r, q * S, (q + 1) * S);
    }
    const feeds: Record<string, Feeds[string]> = {};
    for (const p of this.plans) {
      const perRequest = p.feature.side === 'context';
      const src = (perRequest ? this.dataset.context : this.dataset.columns).get(p.feature.name) as Float32Array | Int32Array;
      feeds[p.layout.name] = { data: gather(src, p.layout.width, perRequest ? requestOf : rows), dims: p.layout.dtype === 'int32' ? [R * S] : [R * S, p.layout.width] };
    }
    const target = new Float32Array(R * S);
    for (let i = 0; i < rows.length; i++) target[i] = this.teacherZ[rows[i]];
    feeds[TARGET_INPUT] = { data: target, dims: [R * S] };
    feeds[TARGET_PROBS_INPUT] = { data: softmaxRows(target, R, S, temperature), dims: [R, S] };
    return feeds;
  }
}

function gather(src: Float32Array | Int32Array, width: number, rows: Int32Array): Float32Array | Int32Array {
  const out = src instanceof Int32Array ? new Int32Array(rows.length * width) : new Float32Array(rows.length * width);
  return gatherRows(src, width, rows, 0, rows.length, out);
}

/** Teacher scores as z-scores over the training rows (the pointwise target). */
function standardise(values: Float32Array): Float32Array {
  let sum = 0;
  let sq = 0;
  for (const v of values) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / Math.max(1, values.length);
  const std = Math.sqrt(Math.max(1e-12, sq / Math.max(1, values.length) - mean * mean));
  return values.map((v) => (v - mean) / std);
}

/** Row-wise softmax of x / temperature over an [R, S] layout. */
function softmaxRows(x: Float32Array, R: number, S: number, temperature: number): Float32Array {
  const out = new Float32Array(R * S);
  for (let q = 0; q < R; q++) {
    let max = -Infinity;
    for (let i = 0; i < S; i++) max = Math.max(max, x[q * S + i] / temperature);
    let sum = 0;
    for (let i = 0; i < S; i++) sum += out[q * S + i] = Math.exp(x[q * S + i] / temperature - max);
    for (let i = 0; i < S; i++) out[q * S + i] /= sum;
  }
  return out;
}
