// Typed graph API: `const g = new Graph('mlp'); const h = g.relu(g.add(g.matmul(x, w), b));` with shape inference.
import { autofasError } from '../schema/errors.js';
import { attrFloat, makeTensor, type Dim, type Dtype } from './builder.js';
import { GraphCore, type Value } from './graph-core.js';
import { DATA_TYPE } from './onnx-proto.js';
import { broadcastDims, matmulDims, normAxis, reduceDims, reshapeDims, sliceBounds } from './shapes.js';

export type { GraphNode, ParamEntry, ToModelOptions, Value } from './graph-core.js';

/** A value or a plain number (lifted to a scalar constant of the other operand's dtype). */
export type Operand = Value | number;

/** Options for gemm: Y = alpha * A' B' + beta * C. */
export interface GemmOptions {
  readonly transA?: boolean;
  readonly transB?: boolean;
  readonly alpha?: number;
  readonly beta?: number;
}

const BIG = Number.MAX_SAFE_INTEGER;

/** ORT refuses mixed element types; catching them here names the op instead of failing at session creation. */
function sameDtype(op: string, values: readonly Value[]): void {
  const odd = values.find((v) => v.dtype !== values[0].dtype);
  if (odd) {
    const names = values.map((v) => `${v.name}:${v.dtype}`).join(', ');
    throw autofasError('ERR_AUTOFAS_GRAPH', `${op}: operands must share a dtype (${names}); cast first`, { op });
  }
}

/** An ONNX graph under construction; every op method appends one node and returns its output value(s). */
export class Graph extends GraphCore {
  private lift(x: Operand, like: Operand): Value {
    if (typeof x !== 'number') return x;
    return this.scalar(x, typeof like === 'number' ? 'float32' : like.dtype);
  }

  private binary(op: string, a: Operand, b: Operand, outDtype?: Dtype): Value {
    const x = this.lift(a, b);
    const y = this.lift(b, a);
    sameDtype(op, [x, y]);
    return this.emit(op, [x, y], [{ dtype: outDtype ?? x.dtype, dims: broadcastDims(x.dims, y.dims, op) }])[0];
  }

  private unary(op: string, x: Value, attrs: Record<string, number | { float: number }> = {}): Value {
    return this.emit(op, [x], [{ dtype: x.dtype, dims: x.dims }], attrs)[0];
  }

  add(a: Operand, b: Operand): Value { return this.binary('Add', a, b); }
  sub(a: Operand, b: Operand): Value { return this.binary('Sub', a, b); }
  mul(a: Operand, b: Operand): Value { return this.binary('Mul', a, b); }
  div(a: Operand, b: Operand): Value { return this.binary('Div', a, b); }
  /** x ** p (p usually a scalar number). */
  pow(x: Value, p: Operand): Value { return this.binary('Pow', x, p); }
  greater(a: Operand, b: Operand): Value { return this.binary('Greater', a, b, 'bool'); }
  less(a: Operand, b: Operand): Value { return this.binary('Less', a, b, 'bool'); }
  greaterOrEqual(a: Operand, b: Operand): Value { return this.binary('GreaterOrEqual', a, b, 'bool'); }
  lessOrEqual(a: Operand, b: Operand): Value { return this.binary('LessOrEqual', a, b, 'bool'); }
  equal(a: Operand, b: Operand): Value { return this.binary('Equal', a, b, 'bool'); }
  and(a: Value, b: Value): Value { return this.binary('And', a, b, 'bool'); }
  /** Elementwise maximum of two operands (ties send the gradient to `a`). */
  max(a: Operand, b: Operand): Value { return this.binary('Max', a, b); }
  /** Elementwise minimum of two operands (ties send the gradient to `a`). */
  min(a: Operand, b: Operand): Value { return this.binary('Min', a, b); }

  neg(x: Value): Value { return this.unary('Neg', x); }
  abs(x: Value): Value { return this.unary('Abs', x); }
  sign(x: Value): Value { return this.unary('Sign', x); }
  relu(x: Value): Value { return this.unary('Relu', x); }
  sigmoid(x: Value): Value { return this.unary('Sigmoid', x); }
  tanh(x: Value): Value { return this.unary('Tanh', x); }
  exp(x: Value): Value { return this.unary('Exp', x); }
  log(x: Value): Value { return this.unary('Log', x); }
  sqrt(x: Value): Value { return this.unary('Sqrt', x); }
  softplus(x: Value): Value { return this.unary('Softplus', x); }
  identity(x: Value): Value { return this.unary('Identity', x); }
  /** `x` when a node produces it, else identity(x): a model output cannot be an input, param or constant. */
  produced(x: Value): Value { return this.producer(x) ? x : this.identity(x); }
  /** Identity in the forward pass, no gradient in the backward pass (straight-through estimators, fixed targets). */
  stopGradient(x: Value): Value {
    return this.emit('Identity', [x], [{ dtype: x.dtype, dims: x.dims }], {}, undefined, { stopGradient: [1] })[0];
  }
  softmax(x: Value, axis = -1): Value { return this.unary('Softmax', x, { axis: normAxis(axis, x.dims.length, 'softmax') }); }
  logSoftmax(x: Value, axis = -1): Value { return this.unary('LogSoftmax', x, { axis: normAxis(axis, x.dims.length, 'logSoftmax') }); }

  /** Clamps to [min, max]; omitted bounds are +-Infinity. */
  clip(x: Value, min = -Infinity, max = Infinity): Value {
    return this.emit('Clip', [x, this.scalar(min, x.dtype), this.scalar(max, x.dtype)], [{ dtype: x.dtype, dims: x.dims }])[0];
  }

  cast(x: Value, to: Dtype): Value {
    return this.emit('Cast', [x], [{ dtype: to, dims: x.dims }], { to: DATA_TYPE[to] })[0];
  }

  /** Elementwise select: cond ? a : b (broadcasting). */
  where(cond: Value, a: Operand, b: Operand): Value {
    const x = this.lift(a, b);
    const y = this.lift(b, a);
    sameDtype('Where', [x, y]);
    const dims = broadcastDims(cond.dims, broadcastDims(x.dims, y.dims, 'Where'), 'Where');
    return this.emit('Where', [cond, x, y], [{ dtype: x.dtype, dims }])[0];
  }

  /** Numpy matmul for rank >= 2 operands (batch dims broadcast). */
  matmul(a: Value, b: Value): Value {
    sameDtype('MatMul', [a, b]);
    return this.emit('MatMul', [a, b], [{ dtype: a.dtype, dims: matmulDims(a.dims, b.dims) }])[0];
  }

  /** Gemm on 2-D operands: alpha * A' B' + beta * C (C optional, broadcast to [M, N]). */
  gemm(a: Value, b: Value, c?: Value, options: GemmOptions = {}): Value {
    const { transA = false, transB = false, alpha = 1, beta = 1 } = options;
    if (a.dims.length !== 2 || b.dims.length !== 2) throw autofasError('ERR_AUTOFAS_GRAPH', 'gemm: operands must be 2-D');
    const m = transA ? a.dims[1] : a.dims[0];
    const n = transB ? b.dims[0] : b.dims[1];
    const attrs: Record<string, number | { float: number }> = {};
    if (transA) attrs.transA = 1;
    if (transB) attrs.transB = 1;
    if (alpha !== 1) attrs.alpha = attrFloat(alpha);
    if (beta !== 1) attrs.beta = attrFloat(beta);
    return this.emit('Gemm', c ? [a, b, c] : [a, b], [{ dtype: a.dtype, dims: [m, n] }], attrs)[0];
  }

  private reduce(op: string, x: Value, axes: readonly number[] | undefined, keepdims: boolean): Value {
    const norm = axes?.map((a) => normAxis(a, x.dims.length, op));
    const inputs = norm === undefined ? [x] : [x, this.ints(norm)];
    const out = [{ dtype: x.dtype, dims: reduceDims(x.dims, norm, keepdims) }];
    return this.emit(op, inputs, out, { keepdims: keepdims ? 1 : 0 }, undefined, { axes: norm })[0];
  }

  /** Sum over `axes` (all axes when omitted). */
  reduceSum(x: Value, axes?: readonly number[], keepdims = false): Value { return this.reduce('ReduceSum', x, axes, keepdims); }
  /** Mean over `axes` (all axes when omitted). */
  reduceMean(x: Value, axes?: readonly number[], keepdims = false): Value { return this.reduce('ReduceMean', x, axes, keepdims); }

  concat(values: readonly Value[], axis: number): Value {
    const first = values[0];
    sameDtype('Concat', values);
    const ax = normAxis(axis, first.dims.length, 'concat');
    const sizes = values.map((v) => v.dims[ax]);
    const total = sizes.every((s) => typeof s === 'number') ? (sizes as number[]).reduce((p, s) => p + s, 0) : sizes.join('+');
    const dims = first.dims.map((d, i) => (i === ax ? total : d));
    return this.emit('Concat', values, [{ dtype: first.dtype, dims }], { axis: ax })[0];
  }

  /** Step-1 slice; `ends` may exceed the size (clamped); omitted axes mean [0, 1, ...]. */
  slice(x: Value, starts: readonly number[], ends: readonly number[], axes?: readonly number[]): Value {
    const ax = (axes ?? starts.map((_, i) => i)).map((a) => normAxis(a, x.dims.length, 'slice'));
    const dims: Dim[] = [...x.dims];
    const s: number[] = [];
    const e: number[] = [];
    ax.forEach((a, i) => {
      const b = sliceBounds(x.dims[a], starts[i], Math.min(ends[i], BIG));
      dims[a] = b.dim;
      s.push(b.start);
      e.push(b.end);
    });
    const meta = { starts: s, ends: e, axes: ax };
    return this.emit('Slice', [x, this.ints(s), this.ints(e), this.ints(ax)], [{ dtype: x.dtype, dims }], {}, undefined, meta)[0];
  }

  /** Splits along `axis` into pieces of the given sizes. */
  split(x: Value, sizes: readonly number[], axis = 0): Value[] {
    const ax = normAxis(axis, x.dims.length, 'split');
    const outs = sizes.map((n) => ({ dtype: x.dtype, dims: x.dims.map((d, i) => (i === ax ? n : d)) }));
    return this.emit('Split', [x, this.ints(sizes)], outs, { axis: ax }, undefined, { sizes });
  }

  /** Embedding lookup: rows of `table` (axis 0) at int32/int64 `indices`. */
  gather(table: Value, indices: Value, axis = 0): Value {
    const ax = normAxis(axis, table.dims.length, 'gather');
    const dims = [...table.dims.slice(0, ax), ...indices.dims, ...table.dims.slice(ax + 1)];
    return this.emit('Gather', [table, indices], [{ dtype: table.dtype, dims }], { axis: ax })[0];
  }

  /** Reshape with ONNX semantics (0 copies a dim, -1 infers one). */
  reshape(x: Value, shape: readonly number[]): Value {
    return this.emit('Reshape', [x, this.ints(shape)], [{ dtype: x.dtype, dims: reshapeDims(x.dims, shape) }])[0];
  }

  /** Reshape to another value's run-time shape (used by gradient rules for symbolic dims). */
  reshapeLike(x: Value, like: Value): Value {
    return this.emit('Reshape', [x, this.shape(like)], [{ dtype: x.dtype, dims: like.dims }])[0];
  }

  /** Shape of a value as an int64 vector. */
  shape(x: Value): Value {
    return this.emit('Shape', [x], [{ dtype: 'int64', dims: [x.dims.length] }])[0];
  }

  transpose(x: Value, perm?: readonly number[]): Value {
    const p = perm ?? x.dims.map((_, i) => x.dims.length - 1 - i);
    return this.emit('Transpose', [x], [{ dtype: x.dtype, dims: p.map((i) => x.dims[i]) }], { perm: p })[0];
  }

  unsqueeze(x: Value, axes: readonly number[]): Value {
    const rank = x.dims.length + axes.length;
    const ax = axes.map((a) => normAxis(a, rank, 'unsqueeze')).sort((a, b) => a - b);
    const dims: Dim[] = [...x.dims];
    for (const a of ax) dims.splice(a, 0, 1);
    return this.emit('Unsqueeze', [x, this.ints(ax)], [{ dtype: x.dtype, dims }])[0];
  }

  squeeze(x: Value, axes: readonly number[]): Value {
    const ax = axes.map((a) => normAxis(a, x.dims.length, 'squeeze'));
    const dims = x.dims.filter((_, i) => !ax.includes(i));
    return this.emit('Squeeze', [x, this.ints([...ax].sort((a, b) => a - b))], [{ dtype: x.dtype, dims }])[0];
  }

  /** Broadcasts to `shape` (numpy rules); `shape` may be another value's dims when they are all known. */
  expand(x: Value, shape: readonly number[]): Value {
    return this.emit('Expand', [x, this.ints(shape)], [{ dtype: x.dtype, dims: broadcastDims(x.dims, shape, 'Expand') }])[0];
  }

  /** Broadcasts `x` to the run-time shape of `like`. */
  expandLike(x: Value, like: Value): Value {
    return this.emit('Expand', [x, this.shape(like)], [{ dtype: x.dtype, dims: broadcastDims(x.dims, like.dims, 'Expand') }])[0];
  }

  /** Number of elements as an int64 scalar. */
  size(x: Value): Value {
    return this.emit('Size', [x], [{ dtype: 'int64', dims: [] }])[0];
  }

  /** Constant zero padding: `pads` = [begin per axis..., end per axis...] (ONNX Pad order). */
  pad(x: Value, pads: readonly number[]): Value {
    const rank = x.dims.length;
    const dims = x.dims.map((d, i) => (typeof d === 'number' ? d + pads[i] + pads[i + rank] : d));
    return this.emit('Pad', [x, this.ints(pads)], [{ dtype: x.dtype, dims }])[0];
  }

  /** Zero padding by an int64 `pads` vector computed at run time, to a result whose dims are `dims`. */
  padBy(x: Value, pads: Value, dims: readonly Dim[]): Value {
    return this.emit('Pad', [x, pads], [{ dtype: x.dtype, dims }])[0];
  }

  /** Zeros with the run-time shape and dtype of `like`. */
  zerosLike(x: Value): Value {
    const value = makeTensor('value', x.dtype, [1], [0]);
    return this.emit('ConstantOfShape', [this.shape(x)], [{ dtype: x.dtype, dims: x.dims }], { value })[0];
  }

  /** ScatterND with reduction 'add' (the gradient of gather). */
  scatterAdd(data: Value, indices: Value, updates: Value): Value {
    return this.emit('ScatterND', [data, indices, updates], [{ dtype: data.dtype, dims: data.dims }], { reduction: 'add' })[0];
  }
}
