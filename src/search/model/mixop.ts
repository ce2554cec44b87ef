// A Mixop (the paper's Eq. 2): candidate dense layers of several widths plus identity, mixed by softmax(alpha).
import { autofasError } from '../../schema/errors.js';
import type { Graph, Value } from '../../graph/graph.js';
import { initParam } from '../../graph/init.js';
import type { Rng } from '../../util/random.js';

/** One candidate operator: a dense layer relu(x W + b) of a width, or identity (the layer is skipped). */
export type OpConfig = { readonly kind: 'dense'; readonly width: number } | { readonly kind: 'identity' };

/** The saved form of a Mixop. */
export interface MixopConfig {
  readonly ops: readonly OpConfig[];
}

/** Display name of an operator: "fc256" or "identity". */
export function opName(op: OpConfig): string {
  return op.kind === 'dense' ? `fc${op.width}` : 'identity';
}

/**
 * O^{i+1} = sum_j softmax(alpha)_j op_j(O^i). Operators of different widths are zero-padded to the widest: the
 * padded sum is assembled segment by segment from slices (no Pad, whose gradient the engine lacks).
 * All dense candidates share one matmul with concatenated weights.
 */
export class Mixop {
  readonly ops: readonly OpConfig[];
  readonly index: number;
  readonly alpha: Float32Array;
  private weights: Float32Array | null = null;
  private bias: Float32Array | null = null;

  constructor(config: MixopConfig, index: number) {
    if (config.ops.length === 0) throw autofasError('ERR_AUTOFAS_SEARCH', `mixop ${index}: no candidate operators`);
    this.ops = config.ops;
    this.index = index;
    this.alpha = new Float32Array(config.ops.length);
  }

  static fromConfig(config: MixopConfig, index: number): Mixop {
    return new Mixop(config, index);
  }

  toConfig(): MixopConfig {
    return { ops: this.ops.map((op) => ({ ...op })) };
  }

  /** Output width: the widest candidate (identity keeps the input width). */
  outWidth(inWidth: number): number {
    return Math.max(...this.ops.map((op) => (op.kind === 'dense' ? op.width : inWidth)));
  }

  /** softmax(alpha) in JS (for the latency model and history). */
  probs(): Float64Array {
    const max = Math.max(...this.alpha);
    const e = Float64Array.from(this.alpha, (a) => Math.exp(a - max));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  }

  private dense(): { op: OpConfig & { kind: 'dense' }; offset: number }[] {
    let offset = 0;
    const out: { op: OpConfig & { kind: 'dense' }; offset: number }[] = [];
    for (const op of this.ops) {
      if (op.kind !== 'dense') continue;
      out.push({ op, offset });
      offset += op.width;
    }
    return out;
  }

  /** Total width of the dense candidates (columns of the shared matmul). */
  denseWidth(): number {
    return this.dense().reduce((s, d) => s + d.op.width, 0);
  }

  /** Appends the Mixop to `g` on input x [N, inWidth]; params are created on first build and reused after. */
  build(g: Graph, x: Value, inWidth: number, rng: Rng): Value {
    const dense = this.dense();
    const total = dense.reduce((s, d) => s + d.op.width, 0);
    if (!this.weights || !this.bias) {
      this.weights = new Float32Array(inWidth * total);
      for (const d of dense) {
        const w = initParam([inWidth, d.op.width], 'he', rng);
        for (let r = 0; r < inWidth; r++) this.weights.set(w.subarray(r * d.op.width, (r + 1) * d.op.width), r * total + d.offset);
      }
      this.bias = new Float32Array(total);
    }
    const p = `mix${this.index}`;
    const alpha = g.param(`${p}_alpha`, [this.ops.length], this.alpha);
    const probs = g.softmax(alpha, 0);
    const pre = g.add(g.matmul(x, g.param(`${p}_w`, [inWidth, total], this.weights)), g.param(`${p}_b`, [total], this.bias));
    const h = g.relu(pre);
    const indicator = new Float32Array(this.ops.length * total);
    const denseIndex = this.ops.map((op, j) => (op.kind === 'dense' ? j : -1)).filter((j) => j >= 0);
    dense.forEach((d, k) => indicator.fill(1, denseIndex[k] * total + d.offset, denseIndex[k] * total + d.offset + d.op.width));
    const scale = g.matmul(g.unsqueeze(probs, [0]), g.constant(indicator, [this.ops.length, total]));
    const mixed = g.mul(h, scale);
    const parts: { value: Value; offset: number; width: number }[] = dense.map((d) => ({ value: mixed, offset: d.offset, width: d.op.width }));
    this.ops.forEach((op, j) => {
      if (op.kind === 'identity') parts.push({ value: g.mul(x, g.slice(probs, [j], [j + 1])), offset: 0, width: inWidth });
    });
    return paddedSum(g, parts);
  }

  /** Where dense op j sits in the shared weights: its column offset and width. */
  private slot(j: number): { offset: number; width: number } {
    const found = this.dense().find((d) => d.op === this.ops[j]);
    if (!found || !this.weights) throw autofasError('ERR_AUTOFAS_SEARCH', `mixop ${this.index}: op ${j} is not a built dense op`);
    return { offset: found.offset, width: found.op.width };
  }

  /**
   * Dense op j alone, as one path of the supernet sees it: rows [0, rowsIn) of its weight columns copied into a
   * [rowsIn, width] array (the rows a narrower previous op leaves zero are not read), and its bias (a view).
   */
  pathWeights(j: number, rowsIn: number): { w: Float32Array; b: Float32Array } {
    const { offset, width } = this.slot(j);
    const all = this.weights as Float32Array;
    const total = all.length / this.rowsOf();
    const w = new Float32Array(rowsIn * width);
    for (let r = 0; r < rowsIn; r++) w.set(all.subarray(r * total + offset, r * total + offset + width), r * width);
    return { w, b: (this.bias as Float32Array).subarray(offset, offset + width) };
  }

  /** Writes a path gradient of op j (gw [rowsIn, width], gb [width]) into zeroed full-size gradients of the weights. */
  scatterPathGrad(j: number, rowsIn: number, gw: Float32Array, gb: Float32Array, intoW: Float32Array, intoB: Float32Array): void {
    const { offset, width } = this.slot(j);
    const total = intoW.length / this.rowsOf();
    for (let r = 0; r < rowsIn; r++) intoW.set(gw.subarray(r * width, (r + 1) * width), r * total + offset);
    intoB.set(gb, offset);
  }

  /** Input rows of the shared weight matrix. */
  private rowsOf(): number {
    return (this.weights as Float32Array).length / this.denseWidth();
  }

  /** The trainable weight arrays (after build). */
  weightArrays(): Float32Array[] {
    return this.weights && this.bias ? [this.weights, this.bias] : [];
  }
}

/** Sum of column blocks zero-padded to the widest, built from slices and one concat. */
function paddedSum(g: Graph, parts: readonly { value: Value; offset: number; width: number }[]): Value {
  const bounds = [0, ...[...new Set(parts.map((p) => p.width))].sort((a, b) => a - b)];
  const segments: Value[] = [];
  for (let k = 1; k < bounds.length; k++) {
    const [lo, hi] = [bounds[k - 1], bounds[k]];
    const pieces = parts.filter((p) => p.width >= hi).map((p) => g.slice(p.value, [p.offset + lo], [p.offset + hi], [1]));
    segments.push(pieces.reduce((a, b) => g.add(a, b)));
  }
  return segments.length === 1 ? segments[0] : g.concat(segments, 1);
}
