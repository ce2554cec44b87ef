// Optimisers (Adam, SGD) updating Float32Array params in place, and gradient clipping by global norm.
import { optionError } from '../schema/errors.js';

/** An optimiser: applies one update to each params[i] from grads[i] (same lengths), in place. */
export interface Optimizer {
  step(params: readonly Float32Array[], grads: readonly Float32Array[]): void;
  /**
   * Lazy update of the listed rows of a [rows, width] table from row gradients [ids.length, width], at the current
   * step count (call after step() of the same iteration). Untouched rows and their moments are left as they are.
   */
  stepRows(table: Float32Array, ids: BigInt64Array, rowGrads: Float32Array, width: number): void;
  /** Learning rate; may be changed between steps (schedules). */
  lr: number;
  /** Number of steps taken. */
  readonly steps: number;
}

/** Options for createAdam. */
export interface AdamOptions {
  /** @default 0.001 */
  readonly lr?: number;
  /** @default 0.9 */
  readonly beta1?: number;
  /** @default 0.999 */
  readonly beta2?: number;
  /** @default 1e-8 */
  readonly eps?: number;
  /** Decoupled weight decay (AdamW): p -= lr * weightDecay * p. @default 0 */
  readonly weightDecay?: number;
}

/** Options for createSgd. */
export interface SgdOptions {
  /** @default 0.01 */
  readonly lr?: number;
  /** Heavy-ball momentum. @default 0 */
  readonly momentum?: number;
  /** L2 weight decay added to the gradient. @default 0 */
  readonly weightDecay?: number;
}

function nonNegative(name: string, value: number | undefined, fallback: number, below = Infinity): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= below) {
    throw optionError(name, below === Infinity ? 'must be a finite number >= 0' : `must be in [0, ${below})`, v);
  }
  return v;
}

/** Updates p[rowAt(r) + i] from g[r * n + i] for r < count, i < n (dense: one "row" of the whole array); t is the step count. */
type RowUpdate = (p: Float32Array, g: Float32Array, count: number, n: number, rowAt: (r: number) => number, lr: number, t: number) => void;

/** The Optimizer around one update rule: `step` updates whole arrays and counts steps, `stepRows` touches rows of one table. */
function rowOptimizer(lr: number, update: RowUpdate): Optimizer {
  let t = 0;
  return {
    lr,
    get steps() {
      return t;
    },
    step(params, grads) {
      t++;
      for (let k = 0; k < params.length; k++) update(params[k], grads[k], 1, params[k].length, () => 0, this.lr, t);
    },
    stepRows(table, ids, rowGrads, width) {
      update(table, rowGrads, ids.length, width, (r) => Number(ids[r]) * width, this.lr, t);
    },
  };
}

/** Adam (AdamW when weightDecay > 0); moment buffers are allocated per param array on first use. */
export function createAdam(options: AdamOptions = {}): Optimizer {
  const beta1 = nonNegative('beta1', options.beta1, 0.9, 1);
  const beta2 = nonNegative('beta2', options.beta2, 0.999, 1);
  const eps = nonNegative('eps', options.eps, 1e-8);
  const wd = nonNegative('weightDecay', options.weightDecay, 0);
  const state = new WeakMap<Float32Array, { m: Float32Array; v: Float32Array }>();
  const moments = (p: Float32Array): { m: Float32Array; v: Float32Array } => {
    let s = state.get(p);
    if (!s) state.set(p, (s = { m: new Float32Array(p.length), v: new Float32Array(p.length) }));
    return s;
  };
  return rowOptimizer(nonNegative('lr', options.lr, 0.001), (p, g, count, n, rowAt, lr, t) => {
    const { m, v } = moments(p);
    const stepSize = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    const decay = 1 - lr * wd;
    for (let r = 0; r < count; r++) {
      const at = rowAt(r);
      const from = r * n;
      for (let i = 0; i < n; i++) {
        const gi = g[from + i];
        const j = at + i;
        const mi = (m[j] = beta1 * m[j] + (1 - beta1) * gi);
        const vi = (v[j] = beta2 * v[j] + (1 - beta2) * gi * gi);
        p[j] = p[j] * decay - (stepSize * mi) / (Math.sqrt(vi) + eps);
      }
    }
  });
}

/** Stochastic gradient descent with optional momentum and L2 weight decay. */
export function createSgd(options: SgdOptions = {}): Optimizer {
  const momentum = nonNegative('momentum', options.momentum, 0, 1);
  const wd = nonNegative('weightDecay', options.weightDecay, 0);
  const velocity = new WeakMap<Float32Array, Float32Array>();
  return rowOptimizer(nonNegative('lr', options.lr, 0.01), (p, g, count, n, rowAt, lr) => {
    let vel = velocity.get(p);
    if (momentum > 0 && !vel) velocity.set(p, (vel = new Float32Array(p.length)));
    for (let r = 0; r < count; r++) {
      const at = rowAt(r);
      for (let i = 0; i < n; i++) {
        const j = at + i;
        let d = g[r * n + i] + wd * p[j];
        if (vel) d = vel[j] = momentum * vel[j] + d;
        p[j] -= lr * d;
      }
    }
  });
}

/** Scales grads in place so their global L2 norm is at most maxNorm; returns the norm before clipping. */
export function clipGradNorm(grads: readonly Float32Array[], maxNorm: number): number {
  let sq = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  if (norm > maxNorm && norm > 0) {
    const scale = maxNorm / norm;
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= scale;
  }
  return norm;
}
