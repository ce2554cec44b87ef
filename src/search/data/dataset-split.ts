// Request-level subsets and train/validation/test splits of a Dataset (compact copies, no request in two splits).
import { optionError } from '../../schema/errors.js';
import { createRng } from '../../util/random.js';
import type { Column, Dataset, DatasetSplits, SplitFractions } from './dataset-types.js';

function copyRanges<T extends Column>(src: T, width: number, starts: Int32Array, ends: Int32Array, total: number): T {
  const out = new (src.constructor as { new (n: number): T })(total * width);
  let at = 0;
  for (let i = 0; i < starts.length; i++) {
    const n = (ends[i] - starts[i]) * width;
    out.set(src.subarray(starts[i] * width, ends[i] * width) as ArrayLike<number>, at);
    at += n;
  }
  return out;
}

function pick<T extends Column>(src: T, width: number, indices: readonly number[]): T {
  const out = new (src.constructor as { new (n: number): T })(indices.length * width);
  indices.forEach((q, i) => out.set(src.subarray(q * width, (q + 1) * width) as ArrayLike<number>, i * width));
  return out;
}

function checkIndices(dataset: Dataset, indices: readonly number[]): void {
  if (!Array.isArray(indices)) throw optionError('requestIndices', 'must be an array of request indices', indices);
  for (const q of indices) {
    if (!Number.isInteger(q) || q < 0 || q >= dataset.requests) {
      throw optionError('requestIndices', `must hold integers in [0, ${dataset.requests})`, q);
    }
  }
}

/** A compact copy of the given requests, in the given order (an index may repeat, e.g. for bootstrapping). */
export function subsetRequests(dataset: Dataset, requestIndices: readonly number[]): Dataset {
  checkIndices(dataset, requestIndices);
  const n = requestIndices.length;
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  const requestOffsets = new Int32Array(n + 1);
  requestIndices.forEach((q, i) => {
    starts[i] = dataset.requestOffsets[q];
    ends[i] = dataset.requestOffsets[q + 1];
    requestOffsets[i + 1] = requestOffsets[i] + (ends[i] - starts[i]);
  });
  const rows = requestOffsets[n];
  const widthOf = (name: string): number => {
    const f = dataset.spec.features.find((x) => x.name === name);
    return f && f.type === 'vector' ? f.dim : 1;
  };
  const context = new Map<string, Column>();
  for (const [name, col] of dataset.context) context.set(name, pick(col, widthOf(name), requestIndices));
  const columns = new Map<string, Column>();
  for (const [name, col] of dataset.columns) columns.set(name, copyRanges(col, widthOf(name), starts, ends, rows));
  const labels = copyRanges(dataset.labels, 1, starts, ends, rows);
  return {
    spec: dataset.spec,
    requests: n,
    rows,
    requestIds: requestIndices.map((q) => dataset.requestIds[q]),
    requestOffsets,
    context,
    columns,
    teacher: copyRanges(dataset.teacher, 1, starts, ends, rows),
    labels,
    hasLabels: labels.some((v) => !Number.isNaN(v)),
    ...(dataset.itemIds
      ? { itemIds: { table: dataset.itemIds.table, index: copyRanges(dataset.itemIds.index, 1, starts, ends, rows) } }
      : {}),
  };
}

function checkFractions(fractions: SplitFractions): void {
  if (typeof fractions !== 'object' || fractions === null) throw optionError('fractions', 'must be { train, validation, test }', fractions);
  for (const key of ['train', 'validation', 'test'] as const) {
    const v = fractions[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw optionError(`fractions.${key}`, 'must be a number in [0, 1]', v);
  }
  const sum = fractions.train + fractions.validation + fractions.test;
  if (Math.abs(sum - 1) > 1e-9) throw optionError('fractions', 'must sum to 1', fractions);
}

/** Fractions holding out `validation` and `test` and training on the rest: one expression, so every caller
 * (search, train, evaluate --split-seed) cuts the same requests for the same seed. */
export function heldOutFractions(validation: number, test: number): SplitFractions {
  return { train: 1 - validation - test, validation, test };
}

/**
 * Splits by request: a seeded shuffle of the request indices cut by the fractions (train and validation counts
 * rounded, test takes the rest). Same dataset + fractions + seed -> same splits. Each split keeps log order.
 */
export function splitByRequest(dataset: Dataset, fractions: SplitFractions, seed: number): DatasetSplits {
  checkFractions(fractions);
  if (!Number.isInteger(seed)) throw optionError('seed', 'must be an integer', seed);
  const order = Array.from({ length: dataset.requests }, (_, i) => i);
  const rng = createRng(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nTrain = Math.round(fractions.train * dataset.requests);
  const nVal = Math.min(dataset.requests - nTrain, Math.round(fractions.validation * dataset.requests));
  const part = (from: number, to: number): Dataset => subsetRequests(dataset, order.slice(from, to).sort((a, b) => a - b));
  return { train: part(0, nTrain), validation: part(nTrain, nTrain + nVal), test: part(nTrain + nVal, dataset.requests) };
}
