// The one trainer of a fixed network with distillation: the retrain of the derived MLP and every baseline's training.
import type { Feature } from '../../schema/feature-spec.js';
import { createTrainer } from '../../graph/trainer.js';
import type { Rng } from '../../util/random.js';
import { BatchSampler, teacherScale } from '../data/batches.js';
import type { DistillMode, StepStatus } from '../search/config.js';
import type { Dataset } from '../data/dataset-types.js';
import type { RetrainRecord } from '../search/history.js';
import type { TrainableModel } from '../model/trainable.js';
import { datasetRecall, scoreDataset } from '../evaluate/score-dataset.js';
import { compileScoring, type ScoringSession } from '../model/train-graph.js';

/** Options of trainMlp (all required: callers hold the defaults in their own parseOptions). */
export interface MlpTrainConfig {
  readonly epochs: number;
  readonly learningRate: number;
  readonly requestsPerBatch: number;
  readonly candidatesPerRequest: number;
  readonly distill: DistillMode;
  readonly lambda1: number;
  readonly threads: number;
  readonly recallK: number;
  readonly recallTop: number;
  /** Validation split for the per-epoch recall (skipped when absent). */
  readonly validation?: Dataset;
  readonly onStep?: (status: StepStatus) => void;
}

/** Trains `mlp` in place on `train`; returns one record per epoch. Deterministic for a given rng and threads = 1. */
export async function trainMlp(mlp: TrainableModel, train: Dataset, config: MlpTrainConfig, rng: Rng): Promise<RetrainRecord[]> {
  const features: readonly Feature[] = mlp.features;
  const tg = mlp.buildTrain(config.distill, config.lambda1, config.candidatesPerRequest);
  const trainer = await createTrainer(tg.g, tg.losses.student, { lr: config.learningRate, threads: config.threads });
  const sampler = new BatchSampler(train, features, teacherScale(train.teacher), config.requestsPerBatch, config.candidatesPerRequest, rng);
  const steps = sampler.stepsPerEpoch();
  const history: RetrainRecord[] = [];
  // One validation scorer for every epoch: it reads the same param arrays the trainer updates in place.
  const scorer = config.validation ? await openScorer(mlp, config.threads) : undefined;
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      trainer.optimizer.lr = config.learningRate * cosine(epoch - 1, config.epochs);
      let sum = 0;
      for (let step = 1; step <= steps; step++) {
        const loss = await trainer.step(sampler.next().feeds);
        sum += loss;
        config.onStep?.({ phase: 'retrain', epoch, epochs: config.epochs, step, steps, loss });
      }
      const record: RetrainRecord = { epoch, loss: sum / steps };
      const valid = config.validation;
      history.push(scorer && valid ? { ...record, validRecall: await recall(scorer, mlp, valid, config) } : record);
    }
  } finally {
    await trainer.dispose();
    await scorer?.session.dispose();
  }
  return history;
}

/** Learning-rate factor of a half-cosine schedule over epochs (1 at the start, 0.1 at the last epoch). */
export function cosine(epoch: number, epochs: number): number {
  return 0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * epoch) / Math.max(epochs, 1)));
}

/** A rows-layout scoring session over the MLP's live params. */
async function openScorer(mlp: TrainableModel, threads: number): Promise<ScoringSession> {
  const { g, score } = mlp.buildScore();
  return compileScoring(g, score, threads);
}

/** Scores of every row of `dataset` by the MLP's training-side forward (rows layout). */
export async function mlpScores(mlp: TrainableModel, dataset: Dataset, threads: number): Promise<Float32Array> {
  const ss = await openScorer(mlp, threads);
  try {
    return await scoreDataset(ss, dataset, mlp.features);
  } finally {
    await ss.session.dispose();
  }
}

async function recall(ss: ScoringSession, mlp: TrainableModel, dataset: Dataset, config: Pick<MlpTrainConfig, 'recallK' | 'recallTop'>): Promise<number> {
  return datasetRecall(dataset, await scoreDataset(ss, dataset, mlp.features), config.recallK, config.recallTop);
}
