// The optimiser of the feature logits and Mixop alphas: Adam on the held-out loss, with the latency and prior push
// added in the same preconditioned units instead of being fed through Adam's moments.

/** One update of the architecture parameters. */
export interface ArchOptimizer {
  /** params[k] -= lr * clip((mhat(loss[k]) + push[k]) / (sqrt(vhat(loss[k])) + eps), -1, 1), element-wise. */
  step(params: readonly Float32Array[], lossGrads: readonly ArrayLike<number>[], pushGrads: readonly ArrayLike<number>[]): void;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

/**
 * Why not plain Adam on loss + push: Adam divides by the root mean square of everything it was fed over about a
 * thousand steps, so (a) a steady push of any size moves a logit by about lr per step, and (b) after a large push
 * stops, its memory keeps the step on the loss gradient tiny for hundreds of steps: a gate pushed off stays off.
 * Here the moments track the loss gradient only; the push is divided by the same scale, so a gate moves down only
 * while the push outweighs the loss's mean gradient, and the loss alone drives it once the push is gone.
 * Steps are clipped to lr, Adam's own top speed.
 */
export function createArchOptimizer(lr: number): ArchOptimizer {
  const moments = new WeakMap<Float32Array, { m: Float64Array; v: Float64Array }>();
  let t = 0;
  return {
    step(params, lossGrads, pushGrads) {
      t++;
      const m1 = 1 - BETA1 ** t;
      const m2 = 1 - BETA2 ** t;
      params.forEach((p, k) => {
        let s = moments.get(p);
        if (!s) moments.set(p, (s = { m: new Float64Array(p.length), v: new Float64Array(p.length) }));
        for (let i = 0; i < p.length; i++) {
          const g = lossGrads[k][i];
          s.m[i] = BETA1 * s.m[i] + (1 - BETA1) * g;
          s.v[i] = BETA2 * s.v[i] + (1 - BETA2) * g * g;
          const u = (s.m[i] / m1 + pushGrads[k][i]) / (Math.sqrt(s.v[i] / m2) + EPS);
          p[i] -= lr * Math.max(-1, Math.min(1, u));
        }
      });
    },
  };
}
