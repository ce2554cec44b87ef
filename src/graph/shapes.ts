// Build-time shape inference helpers: numpy broadcasting, axis normalisation, reduce/reshape/slice dims.
//
// Symbolic dims (strings such as 'N') are assumed to be != 1 at run time; a dim that may broadcast must be a
// literal 1. Two different symbols on the same axis are assumed equal. This lets gradient rules decide at build
// time which axes to sum when reducing a broadcast gradient back to an input's shape.
import { autofasError } from '../schema/errors.js';
import type { Dim } from './builder.js';

function graphError(message: string, details: Record<string, unknown> = {}): Error {
  return autofasError('ERR_AUTOFAS_GRAPH', message, details);
}

/** Numpy-style broadcast of two shapes. */
export function broadcastDims(a: readonly Dim[], b: readonly Dim[], op = 'broadcast'): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else if (typeof x === 'string') out.push(y);
    else if (typeof y === 'string') out.push(x);
    else throw graphError(`${op}: shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`, { a, b });
  }
  return out;
}

/** Normalises a possibly negative axis for a tensor of the given rank. */
export function normAxis(axis: number, rank: number, op = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) {
    throw graphError(`${op}: axis ${axis} out of range for rank ${rank}`, { axis, rank });
  }
  return a;
}

/** Output dims of a reduction over `axes` (all axes when undefined). */
export function reduceDims(dims: readonly Dim[], axes: readonly number[] | undefined, keepdims: boolean): Dim[] {
  const set = new Set((axes ?? dims.map((_, i) => i)).map((a) => normAxis(a, dims.length, 'reduce')));
  const out: Dim[] = [];
  dims.forEach((d, i) => {
    if (!set.has(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

/** Product of known dims, or null when any dim is symbolic. */
export function numel(dims: readonly Dim[]): number | null {
  let n = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return null;
    n *= d;
  }
  return n;
}

/** Output dims of Reshape(x, shape) with ONNX 0 (copy) and -1 (infer) semantics. */
export function reshapeDims(dims: readonly Dim[], shape: readonly number[]): Dim[] {
  const out: Dim[] = shape.map((s, i) => (s === 0 ? dims[i] : s));
  const inferAt = out.indexOf(-1);
  if (inferAt < 0) return out;
  const known = (ds: readonly Dim[]): number => ds.reduce<number>((p, d) => (typeof d === 'number' && d !== -1 ? p * d : p), 1);
  const symsIn = dims.filter((d): d is string => typeof d === 'string');
  const symsOut = out.filter((d): d is string => typeof d === 'string');
  const rest = symsIn.filter((s) => !symsOut.includes(s));
  const quotient = known(dims) / known(out);
  if (rest.length === 0) out[inferAt] = quotient;
  else if (quotient === 1 && rest.length === 1) out[inferAt] = rest[0];
  else out[inferAt] = [...rest, ...(quotient === 1 ? [] : [String(quotient)])].join('*');
  return out;
}

/** Resolves Slice bounds on one axis of known size into [start, end) with step 1. */
export function sliceBounds(size: Dim, start: number, end: number): { start: number; end: number; dim: Dim } {
  if (typeof size === 'string') {
    if (start === 0 && end >= Number.MAX_SAFE_INTEGER) return { start, end, dim: size };
    if (start >= 0 && end >= 0 && end < Number.MAX_SAFE_INTEGER) return { start, end, dim: end - start };
    throw graphError(`slice: bounds [${start}, ${end}) need a known size on a symbolic axis '${size}'`, { start, end });
  }
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = clamp(start);
  const e = Math.max(clamp(end), s);
  return { start: s, end: e, dim: e - s };
}

/** Dims of numpy matmul for rank >= 2 operands. */
export function matmulDims(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  if (a.length < 2 || b.length < 2) throw graphError('matmul: operands must have rank >= 2 (unsqueeze vectors first)', { a, b });
  const k1 = a[a.length - 1];
  const k2 = b[b.length - 2];
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) {
    throw graphError(`matmul: inner dims differ ([${a.join(',')}] x [${b.join(',')}])`, { a, b });
  }
  const batch = broadcastDims(a.slice(0, -2), b.slice(0, -2), 'matmul');
  return [...batch, a[a.length - 2], b[b.length - 1]];
}

/** Axes of `outDims` that must be summed to reduce a broadcast result back to `inDims` (leading, then size-1 axes). */
export function unbroadcastAxes(outDims: readonly Dim[], inDims: readonly Dim[]): { leading: number[]; kept: number[] } {
  const lead = outDims.length - inDims.length;
  const leading = Array.from({ length: lead }, (_, i) => i);
  const kept: number[] = [];
  inDims.forEach((d, i) => {
    if (d === 1 && outDims[lead + i] !== 1) kept.push(i);
  });
  return { leading, kept };
}
