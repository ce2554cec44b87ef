// Training loop on ONNX Runtime: one forward+backward model built once, params fed per step, optimiser in place.
import { autofasError, optionError } from '../schema/errors.js';
import { paramTensors } from './evaluate.js';
import type { Graph, Value } from './graph.js';
import { clipGradNorm, createAdam, createSgd, type Optimizer } from './optim.js';
import { createSession, type Feeds, type Fetches } from './runtime.js';
import { buildTrainingModel, type TrainingModel } from './training-model.js';

// Part of the trainer's API as first published (callers import them from here); they live in evaluate.ts.
export { createEvaluator, exportInference, type Evaluator } from './evaluate.js';


/** Options for createTrainer. */
export interface TrainerOptions {
  /** @default 'adam' */
  readonly optimizer?: 'adam' | 'sgd';
  /** @default 0.001 for adam, 0.01 for sgd */
  readonly lr?: number;
  /** AdamW decoupled decay for adam, L2 for sgd. @default 0 */
  readonly weightDecay?: number;
  /** SGD momentum. @default 0 */
  readonly momentum?: number;
  /** Clip gradients to this global L2 norm; 0 turns clipping off. @default 0 */
  readonly clipNorm?: number;
  /** ORT intra-op threads. @default 1 */
  readonly threads?: number;
  /** Names of the params to train; others are fed but frozen. @default every param of the graph */
  readonly trainable?: readonly string[];
  /**
   * Embedding tables (param names, read only through gather on axis 0) updated sparsely: only the rows a batch
   * touches get gradients and optimiser updates (lazy Adam/SGD). @default []
   */
  readonly sparse?: readonly string[];
  /** Extra values fetched every step (loss terms, expected latency...), readable in `trainer.extras`. @default {} */
  readonly extras?: Readonly<Record<string, Value>>;
}

/** Progress of fit(). */
export interface StepInfo {
  readonly epoch: number;
  readonly step: number;
  readonly loss: number;
}

/** A compiled training step. */
export interface Trainer {
  /** One forward+backward+update on a batch; resolves to the loss before the update. */
  step(feeds: Feeds): Promise<number>;
  /** Runs `epochs` passes over `batches()`; resolves to the mean loss of each epoch. */
  fit(batches: () => Iterable<Feeds> | AsyncIterable<Feeds>, options?: { epochs?: number; onStep?: (info: StepInfo) => void }): Promise<number[]>;
  /** Values of `options.extras` at the last step (before the update), by the names given there. */
  readonly extras: Readonly<Record<string, Float32Array>>;
  /** Gradient norm before clipping at the last step. */
  readonly lastGradNorm: number;
  readonly optimizer: Optimizer;
  /** The training model's bytes (forward + backward, params as inputs). */
  readonly modelBytes: Uint8Array;
  dispose(): Promise<void>;
}

interface TrainerConfig {
  readonly optimizer: Optimizer;
  readonly clipNorm: number;
  readonly threads: number;
  readonly trainable: readonly string[] | undefined;
  readonly sparse: readonly string[];
  readonly extras: Readonly<Record<string, Value>>;
}

/** Every default of TrainerOptions in one place; the optimiser factories validate their own numbers. */
function parseOptions(options: TrainerOptions): TrainerConfig {
  const kind = options.optimizer ?? 'adam';
  const { lr, weightDecay, momentum } = options;
  let optimizer: Optimizer;
  if (kind === 'adam') optimizer = createAdam({ lr, weightDecay });
  else if (kind === 'sgd') optimizer = createSgd({ lr, weightDecay, momentum });
  else throw optionError('optimizer', "must be 'adam' or 'sgd'", kind);
  const clipNorm = options.clipNorm ?? 0;
  if (typeof clipNorm !== 'number' || !(clipNorm >= 0)) throw optionError('clipNorm', 'must be a number >= 0', clipNorm);
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw optionError('threads', 'must be a positive integer', threads);
  return { optimizer, clipNorm, threads, trainable: options.trainable, sparse: options.sparse ?? [], extras: options.extras ?? {} };
}

/** Applies one step's fetches: clip, dense update, sparse row updates; returns the grad norm before clipping. */
function applyUpdate(model: TrainingModel, config: TrainerConfig, out: Fetches): number {
  const grads = model.grads.map((v) => out[v.name].data as Float32Array);
  const rowGrads = model.sparse.map((o) => out[o.rows.name].data as Float32Array);
  const norm = clipGradNorm([...grads, ...rowGrads], config.clipNorm > 0 ? config.clipNorm : Infinity);
  config.optimizer.step(
    model.dense.map((p) => p.data),
    grads,
  );
  model.tables.forEach((t, k) => {
    config.optimizer.stepRows(t.param.data, out[model.sparse[k].ids.name].data as BigInt64Array, rowGrads[k], t.width);
  });
  return norm;
}

/** Runs epochs of steps over batches(); resolves to each epoch's mean loss. */
async function fitLoop(
  trainer: Trainer,
  batches: () => Iterable<Feeds> | AsyncIterable<Feeds>,
  options: { epochs?: number; onStep?: (info: StepInfo) => void },
): Promise<number[]> {
  const means: number[] = [];
  for (let epoch = 0; epoch < (options.epochs ?? 1); epoch++) {
    let sum = 0;
    let count = 0;
    for await (const feeds of batches()) {
      const loss = await trainer.step(feeds);
      sum += loss;
      count++;
      options.onStep?.({ epoch, step: trainer.optimizer.steps, loss });
    }
    means.push(count > 0 ? sum / count : NaN);
  }
  return means;
}

/** Builds the training model for `loss` once (appending backward nodes to `g`) and returns a step runner. */
export async function createTrainer(g: Graph, loss: Value, options: TrainerOptions = {}): Promise<Trainer> {
  const config = parseOptions(options);
  const model = buildTrainingModel(g, loss, config);
  const session = await createSession(model.modelBytes, { threads: config.threads });
  const paramFeeds = paramTensors(g, session);
  let lastGradNorm = 0;
  let extras: Record<string, Float32Array> = {};
  const trainer: Trainer = {
    optimizer: config.optimizer,
    modelBytes: model.modelBytes,
    get lastGradNorm() {
      return lastGradNorm;
    },
    get extras() {
      return extras;
    },
    async step(feeds) {
      const out = await session.run({ ...feeds, ...paramFeeds }, model.fetches);
      const lossValue = Number(out[model.loss.name].data[0]);
      extras = Object.fromEntries(model.extras.map(([k, v]) => [k, out[v.name].data as Float32Array]));
      if (!Number.isFinite(lossValue)) {
        throw autofasError('ERR_AUTOFAS_NONFINITE_LOSS', `training loss is ${lossValue}`, { step: config.optimizer.steps });
      }
      lastGradNorm = applyUpdate(model, config, out);
      return lossValue;
    },
    fit: (batches, fitOptions = {}) => fitLoop(trainer, batches, fitOptions),
    dispose: () => session.dispose(),
  };
  return trainer;
}
