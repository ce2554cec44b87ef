// The gradient rule table: one rule per ONNX op, each returning one gradient per input (null = no gradient).
//
// Broadcasting is undone at graph-build time from the known dims (see shapes.ts: symbolic dims are assumed != 1),
// so reducing a gradient back to an input's shape is one or two ReduceSum nodes with constant axes.
import { autofasError } from '../schema/errors.js';
import type { Graph, GraphNode, Value } from './graph.js';
import { numel, unbroadcastAxes } from './shapes.js';

/** dys[i] is the gradient of the node's i-th output (null when no path to the loss); returns one entry per input. */
export type GradientRule = (g: Graph, node: GraphNode, dys: readonly (Value | null)[]) => (Value | null)[];

function noGradient(op: string, why: string): Error {
  return autofasError('ERR_AUTOFAS_NO_GRADIENT', `no gradient for ${op}: ${why}`, { op });
}

/** Sums a broadcast gradient back to the dims of `x`. */
export function unbroadcast(g: Graph, dy: Value, x: Value): Value {
  const { leading, kept } = unbroadcastAxes(dy.dims, x.dims);
  let out = dy;
  if (leading.length > 0) out = g.reduceSum(out, leading, false);
  if (kept.length > 0) out = g.reduceSum(out, kept, true);
  return out;
}

function swapLast(g: Graph, x: Value): Value {
  const perm = x.dims.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return g.transpose(x, perm);
}

/**
 * alpha * op(a) @ op(b) for 2-D operands. Measured on onnxruntime 1.30 (1024x256 by 1024x128): Gemm with transA runs
 * at ~63 GFLOP/s while MatMul(Transpose(a), b), which ORT fuses, runs at ~94, so transposed-A products use MatMul.
 */
function mm(g: Graph, a: Value, b: Value, transA: boolean, transB: boolean, alpha = 1): Value {
  if (!transA) return g.gemm(a, b, undefined, { transB, alpha });
  const out = g.matmul(g.transpose(a, [1, 0]), transB ? g.transpose(b, [1, 0]) : b);
  return alpha === 1 ? out : g.mul(out, alpha);
}

const one = (dy: readonly (Value | null)[]): Value => dy[0] as Value;

const matMul: GradientRule = (g, node, dys) => {
  const [a, b] = node.inputs;
  const dy = one(dys);
  if (a.dims.length === 2 && b.dims.length === 2) {
    return [mm(g, dy, b, false, true), mm(g, a, dy, true, false)];
  }
  if (b.dims.length === 2) {
    // [.., K] x [K, M]: flatten the batch dims so dB is a single Gemm.
    const k = a.dims[a.dims.length - 1] as number;
    const m = b.dims[1] as number;
    const db = mm(g, g.reshape(a, [-1, k]), g.reshape(dy, [-1, m]), true, false);
    return [g.matmul(dy, g.transpose(b, [1, 0])), db];
  }
  return [unbroadcast(g, g.matmul(dy, swapLast(g, b)), a), unbroadcast(g, g.matmul(swapLast(g, a), dy), b)];
};

const gemm: GradientRule = (g, node, dys) => {
  const [a, b, c] = node.inputs;
  const dy = one(dys);
  const transA = node.attrs.transA === 1;
  const transB = node.attrs.transB === 1;
  const alpha = (node.attrs.alpha as { float: number } | undefined)?.float ?? 1;
  const beta = (node.attrs.beta as { float: number } | undefined)?.float ?? 1;
  const da = transA ? mm(g, b, dy, transB, true, alpha) : mm(g, dy, b, false, !transB, alpha);
  const db = transB ? mm(g, dy, a, true, transA, alpha) : mm(g, a, dy, !transA, false, alpha);
  const dc = c ? unbroadcast(g, beta === 1 ? dy : g.mul(dy, beta), c) : null;
  return c ? [da, db, dc] : [da, db];
};

function reduceBack(g: Graph, node: GraphNode, dy: Value): Value {
  const x = node.inputs[0];
  const axes = node.meta.axes;
  let d = dy;
  if (node.attrs.keepdims === 0) d = axes ? g.unsqueeze(dy, axes) : g.reshape(dy, x.dims.map(() => 1));
  return g.expandLike(d, x);
}

const reduceMean: GradientRule = (g, node, dys) => {
  const x = node.inputs[0];
  const y = node.outputs[0];
  const nx = numel(x.dims);
  const ny = numel(y.dims);
  const count = nx !== null && ny !== null ? nx / ny : g.div(g.cast(g.size(x), x.dtype), g.cast(g.size(y), x.dtype));
  return [g.div(reduceBack(g, node, one(dys)), count), null];
};

const slice: GradientRule = (g, node, dys) => {
  const x = node.inputs[0];
  const { starts = [], ends = [], axes = [] } = node.meta;
  const rank = x.dims.length;
  const begin = new Array<number>(rank).fill(0);
  axes.forEach((a, i) => (begin[a] = starts[i]));
  if (axes.every((a, i) => typeof x.dims[a] === 'number' || ends[i] >= Number.MAX_SAFE_INTEGER)) {
    const end = x.dims.map((size, a) => (axes.includes(a) && typeof size === 'number' ? size - ends[axes.indexOf(a)] : 0));
    return [g.pad(one(dys), [...begin, ...end]), null, null, null];
  }
  // A symbolic axis with an explicit end: its end padding, size - end = size - (end - start) - start, is known at run time.
  const end = g.sub(g.sub(g.shape(x), g.shape(one(dys))), g.ints(begin));
  return [g.padBy(one(dys), g.concat([g.ints(begin), end], 0), x.dims), null, null, null];
};

const concat: GradientRule = (g, node, dys) => {
  if (node.inputs.length === 1) return [one(dys)];
  const axis = node.attrs.axis as number;
  const sizes = node.inputs.map((v) => v.dims[axis]);
  if (!sizes.every((s) => typeof s === 'number')) throw noGradient('Concat', `sizes along axis ${axis} must be known`);
  return g.split(one(dys), sizes as number[], axis);
};

const split: GradientRule = (g, node, dys) => {
  const parts = node.outputs.map((o, i) => dys[i] ?? g.zerosLike(o));
  return [g.concat(parts, node.attrs.axis as number), null];
};

const gather: GradientRule = (g, node, dys) => {
  const [table, indices] = node.inputs;
  if (node.attrs.axis !== 0) throw noGradient('Gather', 'only axis 0 (embedding lookup) has a gradient');
  const idx = g.unsqueeze(indices.dtype === 'int64' ? indices : g.cast(indices, 'int64'), [-1]);
  return [g.scatterAdd(g.zerosLike(table), idx, one(dys)), null];
};

const reshapeBack: GradientRule = (g, node, dys) => [g.reshapeLike(one(dys), node.inputs[0]), null];

/** The table: ONNX op type -> rule. */
export const GRADIENTS: Readonly<Record<string, GradientRule>> = {
  Add: (g, n, d) => [unbroadcast(g, one(d), n.inputs[0]), unbroadcast(g, one(d), n.inputs[1])],
  Sub: (g, n, d) => [unbroadcast(g, one(d), n.inputs[0]), unbroadcast(g, g.neg(one(d)), n.inputs[1])],
  Mul: (g, n, d) => [
    unbroadcast(g, g.mul(one(d), n.inputs[1]), n.inputs[0]),
    unbroadcast(g, g.mul(one(d), n.inputs[0]), n.inputs[1]),
  ],
  Div: (g, n, d) => [
    unbroadcast(g, g.div(one(d), n.inputs[1]), n.inputs[0]),
    unbroadcast(g, g.neg(g.div(g.mul(one(d), n.outputs[0]), n.inputs[1])), n.inputs[1]),
  ],
  Pow: (g, n, d) => {
    const [x, p] = n.inputs;
    const dx = g.mul(one(d), g.mul(p, g.pow(x, g.sub(p, 1))));
    const dp = g.isFloat(p) ? unbroadcast(g, g.mul(g.mul(one(d), n.outputs[0]), g.log(x)), p) : null;
    return [unbroadcast(g, dx, x), dp];
  },
  Neg: (g, _n, d) => [g.neg(one(d))],
  Abs: (g, n, d) => [g.mul(one(d), g.sign(n.inputs[0]))],
  Identity: (_g, n, d) => [n.meta.stopGradient ? null : one(d)],
  Max: (g, n, d) => {
    const [a, b] = n.inputs;
    const aWins = g.greaterOrEqual(a, b);
    return [unbroadcast(g, g.where(aWins, one(d), 0), a), unbroadcast(g, g.where(aWins, 0, one(d)), b)];
  },
  Min: (g, n, d) => {
    const [a, b] = n.inputs;
    const aWins = g.lessOrEqual(a, b);
    return [unbroadcast(g, g.where(aWins, one(d), 0), a), unbroadcast(g, g.where(aWins, 0, one(d)), b)];
  },
  Relu: (g, n, d) => [g.where(g.greater(n.outputs[0], 0), one(d), 0)],
  Sigmoid: (g, n, d) => [g.mul(one(d), g.mul(n.outputs[0], g.sub(1, n.outputs[0])))],
  Tanh: (g, n, d) => [g.mul(one(d), g.sub(1, g.mul(n.outputs[0], n.outputs[0])))],
  Exp: (g, n, d) => [g.mul(one(d), n.outputs[0])],
  Log: (g, n, d) => [g.div(one(d), n.inputs[0])],
  Sqrt: (g, n, d) => [g.div(g.mul(one(d), 0.5), n.outputs[0])],
  Softplus: (g, n, d) => [g.mul(one(d), g.sigmoid(n.inputs[0]))],
  Softmax: (g, n, d) => {
    const y = n.outputs[0];
    const axis = n.attrs.axis as number;
    return [g.mul(y, g.sub(one(d), g.reduceSum(g.mul(one(d), y), [axis], true)))];
  },
  LogSoftmax: (g, n, d) => {
    const axis = n.attrs.axis as number;
    return [g.sub(one(d), g.mul(g.exp(n.outputs[0]), g.reduceSum(one(d), [axis], true)))];
  },
  Clip: (g, n, d) => {
    const [x, lo, hi] = n.inputs;
    return [g.where(g.and(g.greaterOrEqual(x, lo), g.lessOrEqual(x, hi)), one(d), 0), null, null];
  },
  Where: (g, n, d) => {
    const [c, a, b] = n.inputs;
    return [null, unbroadcast(g, g.where(c, one(d), 0), a), unbroadcast(g, g.where(c, 0, one(d)), b)];
  },
  Cast: (g, n, d) => [g.isFloat(n.inputs[0]) ? g.cast(one(d), n.inputs[0].dtype) : null],
  MatMul: matMul,
  Gemm: gemm,
  ReduceSum: (g, n, d) => [reduceBack(g, n, one(d)), null],
  ReduceMean: reduceMean,
  Concat: concat,
  Slice: slice,
  Split: split,
  Gather: gather,
  Reshape: reshapeBack,
  Unsqueeze: reshapeBack,
  Squeeze: reshapeBack,
  Transpose: (g, n, d) => {
    const perm = n.attrs.perm as number[];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [g.transpose(one(d), inverse)];
  },
  Expand: (g, n, d) => [unbroadcast(g, one(d), n.inputs[0]), null],
};

/** The rule for an op, or ERR_AUTOFAS_NO_GRADIENT naming it. */
export function gradientRule(opType: string): GradientRule {
  const rule = GRADIENTS[opType];
  if (!rule) throw noGradient(opType, 'no rule in the gradient table');
  return rule;
}
