// Training loop on ONNX Runtime: one forward+backward model built once, params fed per step, optimiser in place.
import * as ort from 'onnxruntime-node';
import { autofasError, optionError } from '../schema/errors.js';
import { grad } from './autodiff.js';
import { encodeModel, type MakeModelOptions } from './builder.js';
import type { Graph, ParamEntry, Value } from './graph.js';
import { clipGradNorm, createAdam, createSgd, type Optimizer } from './optim.js';
import { createSession, type Feeds, type Fetches, type Session } from './runtime.js';

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

function makeOptimizer(options: TrainerOptions): Optimizer {
  const kind = options.optimizer ?? 'adam';
  if (kind === 'adam') return createAdam({ lr: options.lr, weightDecay: options.weightDecay });
  if (kind === 'sgd') return createSgd({ lr: options.lr, weightDecay: options.weightDecay, momentum: options.momentum });
  throw optionError('optimizer', "must be 'adam' or 'sgd'", kind);
}

function pickTrainable(g: Graph, names: readonly string[] | undefined): ParamEntry[] {
  const all = g.params;
  if (!names) return [...all];
  return names.map((name) => {
    const p = all.find((e) => e.value.name === name);
    if (!p) throw optionError('trainable', 'must name params of the graph', name);
    return p;
  });
}

/** Builds the training model for `loss` once (appending backward nodes to `g`) and returns a step runner. */
export async function createTrainer(g: Graph, loss: Value, options: TrainerOptions = {}): Promise<Trainer> {
  const clipNorm = options.clipNorm ?? 0;
  if (!(clipNorm >= 0)) throw optionError('clipNorm', 'must be a number >= 0', clipNorm);
  const optimizer = makeOptimizer(options);
  const trainable = pickTrainable(g, options.trainable);
  const grads = grad(g, loss, trainable.map((p) => p.value)).map((v) => (g.producer(v) ? v : g.identity(v)));
  const lossOut = g.producer(loss) ? loss : g.identity(loss);
  const extraEntries = Object.entries(options.extras ?? {}).map(([k, v]) => [k, g.producer(v) ? v : g.identity(v)] as const);
  const outputs = uniqueValues([lossOut, ...grads, ...extraEntries.map(([, v]) => v)]);
  const modelBytes = encodeModel(g.toModel({ params: 'inputs', outputs }));
  const session: Session = await createSession(modelBytes, { threads: options.threads });
  const paramFeeds = paramTensors(g, session);
  const fetchNames = outputs.map((v) => v.name);
  const paramArrays = trainable.map((p) => p.data);
  let lastGradNorm = 0;
  let extras: Record<string, Float32Array> = {};
  const trainer: Trainer = {
    optimizer,
    modelBytes,
    get lastGradNorm() {
      return lastGradNorm;
    },
    get extras() {
      return extras;
    },
    async step(feeds) {
      const out = await session.run({ ...feeds, ...paramFeeds }, fetchNames);
      const lossValue = Number(out[lossOut.name].data[0]);
      extras = Object.fromEntries(extraEntries.map(([k, v]) => [k, out[v.name].data as Float32Array]));
      if (!Number.isFinite(lossValue)) throw autofasError('ERR_AUTOFAS_NONFINITE_LOSS', `training loss is ${lossValue}`, { step: optimizer.steps });
      const gradArrays = grads.map((v) => out[v.name].data as Float32Array);
      lastGradNorm = clipGradNorm(gradArrays, clipNorm > 0 ? clipNorm : Infinity);
      optimizer.step(paramArrays, gradArrays);
      return lossValue;
    },
    async fit(batches, fitOptions = {}) {
      const epochs = fitOptions.epochs ?? 1;
      const means: number[] = [];
      for (let epoch = 0; epoch < epochs; epoch++) {
        let sum = 0;
        let count = 0;
        for await (const feeds of batches()) {
          const l = await trainer.step(feeds);
          sum += l;
          count++;
          fitOptions.onStep?.({ epoch, step: optimizer.steps, loss: l });
        }
        means.push(count > 0 ? sum / count : NaN);
      }
      return means;
    },
    dispose: () => session.dispose(),
  };
  return trainer;
}

function uniqueValues(values: readonly Value[]): Value[] {
  const seen = new Set<string>();
  return values.filter((v) => !seen.has(v.name) && seen.add(v.name));
}

/** ort Tensors wrapping each param array the session takes as input (created once; the arrays are updated in place). */
function paramTensors(g: Graph, session: Session): Record<string, ort.Tensor> {
  const inputs = new Set(session.inputNames);
  const feeds: Record<string, ort.Tensor> = {};
  for (const p of g.params) {
    if (inputs.has(p.value.name)) feeds[p.value.name] = new ort.Tensor('float32', p.data, p.value.dims as number[]);
  }
  return feeds;
}

/** A forward-only runner over the live params (fed by reference), for validation during training without re-export. */
export interface Evaluator {
  /** Runs the chosen outputs; fetches are keyed by the outputs' value names. */
  run(feeds: Feeds): Promise<Fetches>;
  dispose(): Promise<void>;
}

/** Builds a forward-only session for `outputs` whose params are graph inputs fed from the current arrays. */
export async function createEvaluator(g: Graph, outputs: readonly Value[], options: { readonly threads?: number } = {}): Promise<Evaluator> {
  const outs = outputs.map((v) => (g.producer(v) ? v : g.identity(v)));
  const session = await createSession(encodeModel(g.toModel({ params: 'inputs', outputs: outs })), { threads: options.threads });
  const paramFeeds = paramTensors(g, session);
  return {
    run: (feeds) => session.run({ ...feeds, ...paramFeeds }),
    dispose: () => session.dispose(),
  };
}

/** An inference model with the params' current values as initializers (pruned to what `outputs` need). */
export function exportInference(g: Graph, outputs: readonly Value[] = g.outputs, options: MakeModelOptions = {}): Uint8Array {
  return encodeModel(g.toModel({ ...options, params: 'initializers', outputs }));
}
