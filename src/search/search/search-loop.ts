// The search proper: trains the supernet's weights, Mixop alphas and feature gates together, with the latency term
// entering the loss through lambda2 (fixed, or tuned against a budget) and per-epoch history.
import type { Feature } from '../../schema/feature-spec.js';
import { createTrainer } from '../../graph/trainer.js';
import { createPathTrainer, type WeightTrainer } from '../model/path-trainer.js';
import type { Rng } from '../../util/random.js';
import { BatchSampler, teacherScale } from '../data/batches.js';
import type { Lambda2Controller } from '../latency/budget.js';
import { createArchOptimizer, type ArchOptimizer } from './arch-optimizer.js';
import { searchStepsPerEpoch, type SearchConfig, type StepStatus } from './config.js';
import type { Dataset } from '../data/dataset-types.js';
import type { EpochRecord } from './history.js';
import { LATENCY_UNIT_US, type LatencyModel } from '../latency/latency-model.js';
import { derive } from '../derive/derive.js';
import { opName } from '../model/mixop.js';
import { datasetRecall, scoreDataset } from '../evaluate/score-dataset.js';
import type { Supernet } from '../model/supernet.js';
import { compileScoring, compileTraining, runStep, type ScoringSession, type StepResult, type TrainingSession } from '../model/train-graph.js';

/**
 * Feature logits stay in [-3, 3] (keep-probability 0.047..0.953): a gate pushed off is still sampled on about one
 * step in twenty, so its weights keep learning and its straight-through gradient can bring it back once the push
 * stops (an unbounded logit walks to theta ~0.002 under a steady push and never returns).
 */
export const GATE_LOGIT_BOUND = 3;

/** Everything one search run needs. */
export interface SearchRun {
  readonly supernet: Supernet;
  /** Requests the weights train on. */
  readonly train: Dataset;
  /** Held-out training requests the masks and alphas are updated on (first-order DARTS); `train` when absent. */
  readonly archTrain?: Dataset;
  readonly validation: Dataset;
  readonly latency: LatencyModel;
  readonly lambda2: Lambda2Controller;
  readonly config: SearchConfig;
  readonly rng: Rng;
  readonly round: number;
  readonly started: number;
  readonly onEpoch?: (record: EpochRecord & { readonly round: number }) => void;
  readonly onStep?: (status: StepStatus) => void;
}

interface EpochSums {
  total: number;
  task: number;
  distill: number;
  latency: number;
  steps: number;
}

/** Sessions, samplers and optimisers of one search run. */
interface Loop {
  readonly sg: ReturnType<Supernet['build']>;
  readonly trainer: WeightTrainer;
  readonly archTs: TrainingSession;
  readonly scorer: ScoringSession;
  readonly sampler: BatchSampler;
  readonly archSampler: BatchSampler;
  readonly archOptimizer: ArchOptimizer;
  readonly soft: Float64Array;
}

async function openLoop(run: SearchRun): Promise<Loop> {
  const { supernet, config } = run;
  const sg = supernet.build(config.distill, config.lambda1, config.candidatesPerRequest);
  const lossMap = { task: sg.losses.task, distill: sg.losses.distill, student: sg.losses.student };
  const trainer = config.weightSteps === 'path'
    ? await createPathTrainer(supernet, config, run.rng.fork())
    : await createTrainer(sg.g, sg.losses.student, {
      lr: config.learningRate,
      threads: config.threads,
      trainable: sg.weightParams.map((p) => p.value.name),
      extras: { task: sg.losses.task, distill: sg.losses.distill },
    });
  const archTs = await compileTraining(sg.g, sg.losses.student, lossMap, [...sg.alphaParams, sg.gateParam], config.threads);
  const scorer = await compileScoring(sg.g, sg.score, config.threads);
  const scale = teacherScale(run.train.teacher);
  const batch = [config.requestsPerBatch, config.candidatesPerRequest] as const;
  return {
    sg, trainer, archTs, scorer,
    sampler: new BatchSampler(run.train, supernet.features, scale, ...batch, run.rng),
    archSampler: new BatchSampler(run.archTrain ?? run.train, supernet.features, scale, ...batch, run.rng),
    archOptimizer: createArchOptimizer(config.archLearningRate),
    soft: new Float64Array(supernet.features.length),
  };
}

/** Runs the search epochs; returns one record per epoch. */
export async function searchSupernet(run: SearchRun): Promise<(EpochRecord & { round: number })[]> {
  const loop = await openLoop(run);
  const records: (EpochRecord & { round: number })[] = [];
  try {
    for (let epoch = 1; epoch <= run.config.epochs; epoch++) {
      const sums = await searchEpoch(run, loop, epoch);
      const record = epochRecord(run, epoch, sums, await supernetRecall(run, loop.scorer));
      records.push(record);
      run.onEpoch?.(record);
    }
  } finally {
    await loop.trainer.dispose();
    await loop.archTs.session.dispose();
    await loop.scorer.session.dispose();
  }
  run.supernet.gates.fill(1);
  return records;
}

/** One epoch: per step a weights update on a training batch, then (after warm-up) a mask/alpha update on a held-out one. */
async function searchEpoch(run: SearchRun, loop: Loop, epoch: number): Promise<EpochSums> {
  const { supernet, config } = run;
  const sums: EpochSums = { total: 0, task: 0, distill: 0, latency: 0, steps: 0 };
  const steps = searchStepsPerEpoch(run.train.rows, config);
  const searching = epoch > config.warmupEpochs;
  for (let step = 1; step <= steps; step++) {
    sampleGates(supernet, config.gateTemperature, run.rng, loop.soft);
    const student = await loop.trainer.step(loop.sampler.next().feeds);
    const res = { task: loop.trainer.extras.task[0], distill: loop.trainer.extras.distill[0], student };
    const lat = run.latency.estimate(supernet.theta(), supernet.mixops.map((m) => m.probs()));
    const lambda2 = searching ? run.lambda2.update(derivedNowUs(run)) : run.lambda2.value;
    if (searching) {
      sampleGates(supernet, config.gateTemperature, run.rng, loop.soft);
      archStep(run, await runStep(loop.archTs, loop.archSampler.next().feeds), lat, lambda2, loop.soft, loop.archOptimizer);
    }
    accumulate(sums, res, (lambda2 * lat.totalUs) / LATENCY_UNIT_US);
    const features = keptCount(supernet, config.keepThreshold);
    run.onStep?.({ phase: 'search', epoch, epochs: config.epochs, step, steps, loss: student, expectedUs: lat.totalUs, features });
  }
  return sums;
}

/** Gumbel-sigmoid sample per feature, hard (0/1) in the forward pass, soft value kept for the straight-through grad. */
function sampleGates(supernet: Supernet, tau: number, rng: Rng, soft: Float64Array): void {
  supernet.phi.forEach((phi, i) => {
    const u = Math.min(Math.max(rng.next(), 1e-7), 1 - 1e-7);
    const s = 1 / (1 + Math.exp(-(phi + Math.log(u) - Math.log(1 - u)) / tau));
    soft[i] = s;
    supernet.gates[i] = s > 0.5 ? 1 : 0;
  });
}

/**
 * One step on the alphas and the feature logits: the student gradient on a held-out batch, plus the push of
 * lambda2 * d E[lat] / d (alpha, phi) and of the masks' complexity prior (see createArchOptimizer).
 */
function archStep(
  run: SearchRun,
  res: StepResult,
  lat: ReturnType<LatencyModel['estimate']>,
  lambda2: number,
  soft: Float64Array,
  optimizer: ArchOptimizer,
): void {
  const { supernet, config } = run;
  const scale = lambda2 / LATENCY_UNIT_US;
  const alphaPush = supernet.mixops.map((m, l) => {
    const p = m.probs();
    const d = lat.dProbs[l];
    const mean = p.reduce((s, pj, j) => s + pj * d[j], 0);
    return Float64Array.from(p, (pj, j) => scale * pj * (d[j] - mean));
  });
  const gateGrad = res.grads[supernet.mixops.length];
  const theta = supernet.theta();
  const prior = complexityPrior(run, theta);
  const phiLoss = Float64Array.from(supernet.phi, (_, i) => (gateGrad[i] * soft[i] * (1 - soft[i])) / config.gateTemperature);
  const phiPush = Float64Array.from(theta, (t, i) => (scale * lat.dTheta[i] + prior[i]) * t * (1 - t));
  const params = [...supernet.mixops.map((m) => m.alpha), supernet.phi];
  optimizer.step(params, [...res.grads.slice(0, supernet.mixops.length), phiLoss], [...alphaPush, phiPush]);
  supernet.phi.forEach((p, i) => (supernet.phi[i] = Math.min(GATE_LOGIT_BOUND, Math.max(-GATE_LOGIT_BOUND, p))));
}

/**
 * Table latency of the model derive would pick now (features past the keep threshold, argmax operator per Mixop):
 * what the budget constrains, so lambda2 rises only while that model is over it.
 */
function derivedNowUs(run: SearchRun): number {
  const { supernet, config, latency } = run;
  const mixops = supernet.mixops.map((m) => ({ ops: m.ops, probs: m.probs() }));
  const theta = supernet.theta();
  return derive({ features: supernet.features, theta, mixops, latency, keepThreshold: config.keepThreshold, embeddingDim: config.embeddingDim }).totalUs;
}

/**
 * d/d theta_i of the masks' own complexity prior (FSCD style), sparsity * (L_i + beta) / 1000 per feature, for the
 * features of the source that does not bind Eq. 3-4's max: those feel no latency gradient, so without the prior a
 * useless cheap feature random-walks near its start. The binding source's features feel lambda2 * (L_i + beta).
 */
function complexityPrior(run: SearchRun, theta: ArrayLike<number>): Float64Array {
  const { latency, config } = run;
  const binding = latency.featureUs(theta).dTheta;
  return Float64Array.from(latency.features, (f, i) => (binding[i] > 0 ? 0 : (config.sparsity * (f.us + latency.betaUs)) / LATENCY_UNIT_US));
}

function accumulate(sums: EpochSums, res: { task: number; distill: number; student: number }, latencyTerm: number): void {
  sums.task += res.task;
  sums.distill += res.distill;
  sums.latency += latencyTerm;
  sums.total += res.student + latencyTerm;
  sums.steps++;
}

function keptCount(supernet: Supernet, threshold: number): number {
  return supernet.theta().filter((t) => t >= threshold).length;
}

/** Validation recall of the supernet with the features that pass the threshold switched on. */
async function supernetRecall(run: SearchRun, scorer: ScoringSession): Promise<number> {
  const theta = run.supernet.theta();
  theta.forEach((t, i) => (run.supernet.gates[i] = t >= run.config.keepThreshold ? 1 : 0));
  const features: readonly Feature[] = run.supernet.features;
  const scores = await scoreDataset(scorer, run.validation, features);
  return datasetRecall(run.validation, scores, run.config.recallK, run.config.recallTop);
}

function epochRecord(run: SearchRun, epoch: number, sums: EpochSums, validRecall: number): EpochRecord & { round: number } {
  const { supernet, config } = run;
  const theta = supernet.theta();
  const probs = supernet.mixops.map((m) => m.probs());
  const lat = run.latency.estimate(theta, probs);
  const n = Math.max(sums.steps, 1);
  return {
    round: run.round,
    epoch,
    losses: { total: sums.total / n, task: sums.task / n, distill: sums.distill / n, latency: sums.latency / n },
    lambda2: run.lambda2.value,
    expectedLatency: { totalUs: lat.totalUs, featureUs: lat.featureUs, networkUs: lat.networkUs },
    theta: Object.fromEntries(supernet.features.map((f, i) => [f.name, theta[i]])),
    mixops: supernet.mixops.map((m, l) => ({ ops: m.ops.map(opName), probs: Array.from(probs[l]) })),
    features: supernet.features.filter((_, i) => theta[i] >= config.keepThreshold).map((f) => f.name),
    validRecall,
    elapsedS: (Date.now() - run.started) / 1000,
  };
}
