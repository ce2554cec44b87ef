// Small layer helpers over the graph API: a dense layer and an embedding table, each creating its own seeded params.
import { autofasError } from '../schema/errors.js';
import type { Rng } from '../util/random.js';
import type { Graph, Value } from './graph.js';
import { initParam, type InitKind } from './init.js';

/** Options for dense(). */
export interface DenseOptions {
  /** Param name prefix: weights `${name}.w`, bias `${name}.b`. */
  readonly name: string;
  readonly rng: Rng;
  /** @default 'he' */
  readonly init?: InitKind;
  /** @default true */
  readonly bias?: boolean;
  /** @default 'none' */
  readonly activation?: 'none' | 'relu' | 'tanh' | 'sigmoid';
}

/** x @ W + b with x: [..., in] and W: [in, out]; a 2-D x uses one Gemm. */
export function dense(g: Graph, x: Value, outDim: number, options: DenseOptions): Value {
  const inDim = x.dims[x.dims.length - 1];
  if (typeof inDim !== 'number') throw autofasError('ERR_AUTOFAS_GRAPH', `dense ${options.name}: last dim of the input must be known`);
  const w = g.param(`${options.name}.w`, [inDim, outDim], initParam([inDim, outDim], options.init ?? 'he', options.rng));
  const b = options.bias === false ? undefined : g.param(`${options.name}.b`, [outDim], new Float32Array(outDim));
  let y = x.dims.length === 2 ? g.gemm(x, w, b) : b ? g.add(g.matmul(x, w), b) : g.matmul(x, w);
  const act = options.activation ?? 'none';
  if (act === 'relu') y = g.relu(y);
  else if (act === 'tanh') y = g.tanh(y);
  else if (act === 'sigmoid') y = g.sigmoid(y);
  return y;
}

/** An embedding table param `${name}` of [rows, dim] (normal, std 0.01 by default) looked up at `indices`. */
export function embedding(g: Graph, indices: Value, rows: number, dim: number, options: { name: string; rng: Rng; std?: number }): Value {
  const table = g.param(options.name, [rows, dim], initParam([rows, dim], 'normal', options.rng, { std: options.std ?? 0.01 }));
  return g.gather(table, indices);
}
