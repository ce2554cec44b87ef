// Worker-thread side of the scoring pool: one ONNX Runtime session per worker, one run per task, scores moved back.
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { move, transferableSymbol, valueSymbol, workerData } from 'piscina';
import type { Feed } from './feature-plan.js';

/** What each worker is started with. */
export interface ScoreWorkerData {
  readonly modelBytes: Uint8Array;
  readonly scoreOutput: string;
  readonly intraOpThreads: number;
}

/** One scoring task: the feeds of one request (their buffers are transferred, not copied). */
export interface ScoreTask {
  readonly feeds: readonly Feed[];
  readonly rows: number;
  /** Test and bench hook: block the worker this long before running (a stalled model). */
  readonly stallMs?: number;
}

/** A task's answer: one score per row and the time ORT spent in `run`. */
export interface ScoreResult {
  readonly scores: Float32Array;
  readonly runMs: number;
}

const data = workerData as ScoreWorkerData;
const session = await ort.InferenceSession.create(data.modelBytes, {
  intraOpNumThreads: data.intraOpThreads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const stallCell = new Int32Array(new SharedArrayBuffer(4));

/** Runs the model once for all rows of a request. */
export default async function score(task: ScoreTask): Promise<ScoreResult> {
  if (task.stallMs) Atomics.wait(stallCell, 0, 0, task.stallMs);
  const feeds: Record<string, ort.Tensor> = {};
  for (const feed of task.feeds) feeds[feed.name] = new ort.Tensor(feed.dtype, feed.data, feed.dims);
  const start = performance.now();
  const out = await session.run(feeds, [data.scoreOutput]);
  const runMs = performance.now() - start;
  const tensor = out[data.scoreOutput];
  if (tensor.size !== task.rows) throw new Error(`score output has ${tensor.size} values for ${task.rows} candidates`);
  const scores = tensor.data instanceof Float32Array ? tensor.data : Float32Array.from(tensor.data as ArrayLike<number>);
  const result: ScoreResult = { scores, runMs };
  // The scores' buffer travels back in the transfer list instead of being copied.
  return move({ [transferableSymbol]: [scores.buffer], [valueSymbol]: result } as never) as unknown as ScoreResult;
}
