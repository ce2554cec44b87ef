// Trains a baseline (vector two-tower or dnn-all MLP) on teacher logs by distillation, on ONNX Runtime.
import { Graph, type Value } from '../../graph/graph.js';
import { createSession } from '../../graph/runtime.js';
import { createTrainer, type Trainer } from '../../graph/trainer.js';
import { autofasError, optionError } from '../../schema/errors.js';
import { createRng } from '../../util/random.js';
import type { Dataset } from '../data/dataset-types.js';
import { scoreArtifactRows } from '../evaluate/evaluate.js';
import { datasetRecall } from '../evaluate/score-dataset.js';
import { inferenceBytes } from './inference.js';
import { planInputs } from './feature-inputs.js';
import { baselineForward, type BaselinePlans } from './models.js';
import { parseBaselineOptions, type BaselineConfig, type TrainBaselineOptions } from './options.js';
import { ParamStore } from './params.js';
import { RequestSampler, TARGET_INPUT, TARGET_PROBS_INPUT } from './sampler.js';

/** A trained baseline: its configuration, input plans and weights, ready to export. */
export interface TrainedBaseline {
  readonly config: BaselineConfig;
  readonly plans: BaselinePlans;
  readonly store: ParamStore;
  /** Loss and validation recall at each evaluation point. */
  readonly history: readonly { readonly step: number; readonly loss: number; readonly validRecall?: number }[];
  /** Validation Recall@K of the kept weights, when a validation set was given. */
  readonly validRecall?: number;
  /** cold: the SE-block importance of every feature that was considered. */
  readonly importance?: Readonly<Record<string, number>>;
}

/** The features of each part: vector keeps cross features out (item embeddings must not depend on the request). */
export function baselinePlans(dataset: Dataset, config: BaselineConfig): BaselinePlans {
  const wanted = config.features ? new Set(config.features) : null;
  const features = dataset.spec.features.filter((f) => !wanted || wanted.has(f.name));
  if (wanted && features.length !== wanted.size) {
    const missing = [...wanted].filter((name) => !dataset.spec.features.some((f) => f.name === name));
    throw optionError('features', 'must name features of the spec', missing);
  }
  const context = features.filter((f) => f.side === 'context');
  const item = features.filter((f) => f.side === 'item' || (config.kind !== 'vector' && f.side === 'cross'));
  if (config.kind === 'vector' && (context.length === 0 || item.length === 0)) {
    throw autofasError('ERR_AUTOFAS_SEARCH', 'the vector baseline needs at least one context and one item feature in the spec');
  }
  return { context: planInputs(context, dataset, config.categoricalDim), item: planInputs(item, dataset, config.categoricalDim) };
}

export function lossOf(g: Graph, score: Value, config: Pick<BaselineConfig, 'batchRequests' | 'sample' | 'distill'>): Value {
  const R = config.batchRequests;
  const S = config.sample;
  const terms: Value[] = [];
  if (config.distill !== 'listwise') {
    const diff = g.sub(score, g.input(TARGET_INPUT, 'float32', [R * S]));
    terms.push(g.reduceMean(g.mul(diff, diff)));
  }
  if (config.distill !== 'pointwise') {
    const logp = g.logSoftmax(g.reshape(score, [R, S]), 1);
    const probs = g.input(TARGET_PROBS_INPUT, 'float32', [R, S]);
    terms.push(g.neg(g.reduceMean(g.reduceSum(g.mul(probs, logp), [1]))));
  }
  return terms.length === 2 ? g.add(terms[0], terms[1]) : terms[0];
}

async function validationRecall(trained: Pick<TrainedBaseline, 'config' | 'plans' | 'store'>, validation: Dataset): Promise<number> {
  const { bytes, card } = inferenceBytes(trained);
  const session = await createSession(bytes, { threads: trained.config.threads });
  try {
    return datasetRecall(validation, await scoreArtifactRows(session, card, validation), trained.config.k, trained.config.top);
  } finally {
    await session.dispose();
  }
}

type HistoryPoint = { step: number; loss: number; validRecall?: number };

/** The step loop: learning rate flat then linearly decayed, validation every `evalEvery` steps, best weights kept. */
async function runSteps(trainer: Trainer, sampler: RequestSampler, model: Pick<TrainedBaseline, 'config' | 'plans' | 'store'>): Promise<{ history: HistoryPoint[]; best: { recall: number; weights: Map<string, Float32Array> } | null }> {
  const { config, store } = model;
  const history: HistoryPoint[] = [];
  let best: { recall: number; weights: Map<string, Float32Array> } | null = null;
  let sum = 0;
  let count = 0;
  for (let step = 1; step <= config.steps; step++) {
    trainer.optimizer.lr = config.lr * Math.min(1, (2 * (config.steps - step + 1)) / config.steps);
    sum += await trainer.step(sampler.next());
    count++;
    if (step % config.evalEvery !== 0 && step !== config.steps) continue;
    const validRecall = config.validation ? await validationRecall(model, config.validation) : undefined;
    if (validRecall !== undefined && (best === null || validRecall > best.recall)) best = { recall: validRecall, weights: store.snapshot() };
    const point = { step, loss: sum / count, ...(validRecall === undefined ? {} : { validRecall }) };
    history.push(point);
    config.onProgress?.({ ...point, steps: config.steps });
    sum = 0;
    count = 0;
  }
  return { history, best };
}

/** Trains a baseline on `train` (and keeps the best checkpoint on `options.validation`). */
export async function trainBaseline(train: Dataset, options: TrainBaselineOptions = {}): Promise<TrainedBaseline> {
  const config = parseBaselineOptions(options);
  if (train.rows === 0) throw autofasError('ERR_AUTOFAS_LOG_EMPTY', 'no training rows');
  const rng = createRng(config.seed);
  const store = new ParamStore(rng.fork());
  const plans = baselinePlans(train, config);
  const g = new Graph(`train-${config.kind}`);
  const B = config.batchRequests * config.sample;
  const { score } = baselineForward(g, store, { config, plans }, { context: B, item: B });
  const trainer = await createTrainer(g, lossOf(g, score, config), { lr: config.lr, threads: config.threads, clipNorm: 5 });
  const sampler = new RequestSampler(train, [...plans.context, ...plans.item], rng.fork(), { ...config, requests: config.batchRequests });
  let result: Awaited<ReturnType<typeof runSteps>>;
  try {
    result = await runSteps(trainer, sampler, { config, plans, store });
  } finally {
    await trainer.dispose();
  }
  const { history, best } = result;
  if (best) store.restore(best.weights);
  return { config, plans, store, history, ...(best ? { validRecall: best.recall } : {}) };
}
