// Builds the training model of a loss: forward + generated backward, dense grads and row-sparse table grads as outputs.
import { optionError } from '../schema/errors.js';
import { grad } from './autodiff.js';
import { encodeModel } from './builder.js';
import type { Graph, ParamEntry, Value } from './graph.js';
import { sparseRows, sparseTable, type SparseTable } from './sparse.js';

/** What the trainer needs to run and read one step. */
export interface TrainingModel {
  readonly modelBytes: Uint8Array;
  readonly loss: Value;
  /** Dense params and their gradient outputs, index-aligned. */
  readonly dense: readonly ParamEntry[];
  readonly grads: readonly Value[];
  /** Sparse tables and their (ids, rows) outputs, index-aligned. */
  readonly tables: readonly SparseTable[];
  readonly sparse: readonly { ids: Value; rows: Value }[];
  readonly extras: readonly (readonly [string, Value])[];
  readonly fetches: readonly string[];
}

/** Which params to train, and which of those are sparse tables. */
export interface TrainingSelection {
  readonly trainable?: readonly string[];
  readonly sparse: readonly string[];
  readonly extras: Readonly<Record<string, Value>>;
}

function pickTrainable(g: Graph, names: readonly string[] | undefined): ParamEntry[] {
  if (!names) return [...g.params];
  return names.map((name) => {
    const p = g.params.find((e) => e.value.name === name);
    if (!p) throw optionError('trainable', 'must name params of the graph', name);
    return p;
  });
}

/** Appends the backward pass of `loss` to `g` and encodes the training model (params as inputs). */
export function buildTrainingModel(g: Graph, loss: Value, selection: TrainingSelection): TrainingModel {
  const picked = pickTrainable(g, selection.trainable);
  const sparseNames = new Set(selection.sparse);
  for (const name of sparseNames) {
    if (!picked.some((p) => p.value.name === name)) throw optionError('sparse', 'must name trainable params', name);
  }
  const dense = picked.filter((p) => !sparseNames.has(p.value.name));
  const tables = picked.filter((p) => sparseNames.has(p.value.name)).map((p) => sparseTable(g, p));
  const lookups = tables.flatMap((t) => t.lookups.map((n) => n.outputs[0]));
  const all = grad(g, loss, [...dense.map((p) => p.value), ...lookups]);
  const grads = all.slice(0, dense.length).map((v) => g.produced(v));
  let offset = dense.length;
  const sparse = tables.map((t) => sparseRows(g, t, all.slice(offset, (offset += t.lookups.length))));
  const lossOut = g.produced(loss);
  const extras = Object.entries(selection.extras).map(([k, v]) => [k, g.produced(v)] as const);
  const seen = new Set<string>();
  const outputs = [lossOut, ...grads, ...sparse.flatMap((o) => [o.ids, o.rows]), ...extras.map(([, v]) => v)].filter(
    (v) => !seen.has(v.name) && seen.add(v.name),
  );
  const modelBytes = encodeModel(g.toModel({ params: 'inputs', outputs }));
  return { modelBytes, loss: lossOut, dense, grads, tables, sparse, extras, fetches: outputs.map((v) => v.name) };
}
