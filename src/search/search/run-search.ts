// runSearch: split by request, search the supernet (lambda2 fixed or tuned to a budget), derive, retrain from scratch
// with distillation, export, measure, and write model.onnx + model.json + history.json.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { autofasError } from '../../schema/errors.js';
import { featureCostUs, type Feature } from '../../schema/feature-spec.js';
import { createRng, type Rng } from '../../util/random.js';
import { budgetLambda2, fixedLambda2, type Lambda2Controller } from '../latency/budget.js';
import { parseSearchOptions, searchStepsPerEpoch, toConfig, type SearchConfig, type SearchOptions } from './config.js';
import { heldOutFractions, splitByRequest, subsetRequests } from '../data/dataset.js';
import type { Dataset, DatasetSplits } from '../data/dataset-types.js';
import { derive, type Derived } from '../derive/derive.js';
import { HISTORY_FILE, type EpochRecord, type RetrainRecord, type SearchHistory } from './history.js';
import { embeddedWidth, numericStats, type Normalisation } from '../model/inputs.js';
import { LatencyModel } from '../latency/latency-model.js';
import { LatencyLookup, loadLatencyTable, type LatencyTable } from '../latency/latency-table.js';
import { measureModelUs } from '../latency/measure.js';
import { Mlp } from '../model/mlp.js';
import { mlpScores, trainMlp } from '../retrain/mlp-train.js';
import { teacherLogit, teacherScale } from '../data/batches.js';
import { requestListwiseLosses } from '../evaluate/metrics.js';
import { chooseNeighbour, type NeighbourTry } from '../derive/neighbours.js';
import { exportSearched, type SearchProvenance } from '../retrain/export-model.js';
import { testMetrics } from '../retrain/test-metrics.js';
import { searchSupernet } from './search-loop.js';
import { findRedundant, type RedundantFeature } from '../data/redundancy.js';
import { pruneFeatures, type DeriveTry, type PruneStep } from '../derive/prune.js';
import { searchSpace, Supernet } from '../model/supernet.js';
import type { ModelCard } from '../../schema/model-card.js';

/** Where and how runSearch writes its result. */
export interface SearchOutput {
  /** Artifact directory (model.onnx, model.json, history.json); nothing is written when omitted. */
  readonly out?: string;
  readonly provenance?: SearchProvenance;
}

/** What runSearch returns. */
export interface SearchResult {
  readonly card: ModelCard;
  readonly modelBytes: Uint8Array;
  readonly history: SearchHistory;
  readonly derived: Derived;
  readonly mlp: Mlp;
  readonly splits: DatasetSplits;
  readonly config: SearchConfig;
}

/** Searches, derives, retrains and exports a pre-ranking model from teacher logs. */
export async function runSearch(dataset: Dataset, options: SearchOptions = {}, output: SearchOutput = {}): Promise<SearchResult> {
  const config = parseSearchOptions(options);
  const started = Date.now();
  const ctx = prepareSearch(dataset, config, options.latencyTable ?? (await loadLatencyTable()));
  const epochs = await searchSupernet({
    supernet: ctx.supernet, train: ctx.weights, archTrain: ctx.arch, validation: epochValidation(ctx.splits.validation), latency: ctx.latency,
    lambda2: ctx.lambda2, config, rng: ctx.rng.fork(), round: 1, started, onEpoch: options.onEpoch, onStep: options.onStep,
  });
  const retrained = await deriveAndRetrain(ctx, config, options);
  const { derived, trained, measuredUs, pruned } = retrained;
  const test = await testMetrics(trained.mlp, ctx.splits.test, config);
  const history = makeHistory(config, dataset.spec.features, epochs, derived, measuredUs, trained.records, test, pruned, ctx.redundant, 'neighbours' in retrained ? retrained.neighbours : undefined);
  const card = await exportSearched({
    out: output.out, mlp: trained.mlp, bytes: trained.bytes, derived, config, supernet: ctx.supernet, lambda2: ctx.lambda2.value,
    measuredUs, validRecall: trained.records.at(-1)?.validRecall, test, provenance: output.provenance, redundant: ctx.redundant,
  });
  if (output.out) await writeFile(join(output.out, HISTORY_FILE), `${JSON.stringify(history, null, 1)}\n`);
  return { card, modelBytes: trained.bytes, history, derived, mlp: trained.mlp, splits: ctx.splits, config };
}

/**
 * Requests the supernet's per-epoch validation recall is measured on (a diagnostic in history.json and the progress
 * line; derive and retrain use the whole split). Scoring the mixture on every validation row cost as much per epoch as
 * a third of the path weight steps; 64 requests of 1000 candidates measure Recall@100 to about +-0.01.
 */
const EPOCH_VALIDATION_REQUESTS = 64;

function epochValidation(validation: Dataset): Dataset {
  if (validation.requests <= EPOCH_VALIDATION_REQUESTS) return validation;
  return subsetRequests(validation, Array.from({ length: EPOCH_VALIDATION_REQUESTS }, (_, q) => q));
}

/** Everything the search phases share. */
export interface SearchContext {
  readonly splits: DatasetSplits;
  readonly redundant: RedundantFeature[];
  readonly features: readonly Feature[];
  readonly stats: ReadonlyMap<string, Normalisation>;
  readonly latency: LatencyModel;
  readonly supernet: Supernet;
  readonly weights: Dataset;
  readonly arch?: Dataset;
  readonly lambda2: Lambda2Controller;
  readonly rng: Rng;
}

/** Splits, the redundancy pre-pass, the latency model, the supernet and the lambda2 controller. */
export function prepareSearch(dataset: Dataset, config: SearchConfig, table: LatencyTable): SearchContext {
  const splits = splitByRequest(dataset, heldOutFractions(config.validFraction, config.testFraction), config.seed);
  if (splits.validation.requests === 0 || splits.test.requests === 0 || splits.train.requests < 2) {
    throw autofasError('ERR_AUTOFAS_SEARCH', `the logs hold ${dataset.requests} request(s): too few to split into train, validation and test by request`, {
      requests: dataset.requests,
    });
  }
  const redundant = findRedundant(splits.train, dataset.spec.features);
  const features: readonly Feature[] = dataset.spec.features.filter((f) => !redundant.some((r) => r.feature === f.name));
  const stats = numericStats(splits.train, features);
  const space = searchSpace(config);
  const costs = features.map((f) => ({ name: f.name, source: f.source, side: f.side, us: featureCostUs(f), width: embeddedWidth(f, config.embeddingDim) }));
  const latency = new LatencyModel(costs, space.map((m) => m.ops), new LatencyLookup(table), config.betaUs ?? table.inputUs, config.candidates);
  const rng = createRng(config.seed);
  const supernetConfig = { features: features.map((f) => f.name), embeddingDim: config.embeddingDim, mixops: space, initialKeep: config.initialKeep };
  const supernet = new Supernet(features, stats, supernetConfig, rng.fork());
  const { weights, arch } = archSplit(splits.train, config.archFraction);
  // The dual step is sized so that lambda2 can grow by about e^8 (floor to ~3) in one epoch at full violation.
  const stepsPerEpoch = searchStepsPerEpoch(weights.rows, config);
  const lambda2 = config.budgetUs === undefined
    ? fixedLambda2(config.lambda2)
    : budgetLambda2(config.budgetUs, { rate: Math.min(0.5, 8 / stepsPerEpoch) });
  return { splits, redundant, features, stats, latency, supernet, weights, arch, lambda2, rng };
}

/** Derive (argmax alpha, theta threshold, counterfactual refinement, budget repairs), retrain, export, measure. */
async function deriveAndRetrain(ctx: SearchContext, config: SearchConfig, options: SearchOptions) {
  const { supernet, latency, splits } = ctx;
  const deriveInput = {
    features: ctx.features, theta: supernet.theta(), mixops: supernet.mixops.map((m) => ({ ops: m.ops, probs: m.probs() })),
    latency, keepThreshold: config.keepThreshold, embeddingDim: config.embeddingDim,
  };
  const retrainRng = ctx.rng.fork();
  // Over the budget, the network shrinks first: the feature choice that follows weighs each feature's measured value.
  const refine = (kept: ReadonlySet<string> | undefined, budgetUs: number | undefined) => {
    const net = derive({ ...deriveInput, kept, budgetUs, networkOnly: true });
    const layers = net.architecture.layers;
    return pruneFeatures({ supernet, train: ctx.weights, data: ctx.arch ?? splits.validation, confirm: ctx.arch ? splits.validation : undefined, config, latency, lambda2: ctx.lambda2.value, kept: new Set(net.architecture.features), layers, budgetUs });
  };
  const measure = options.measureNetworkUs ?? ((bytes, inputs) => measureModelUs(bytes, inputs, splits.test, config.candidates));
  const measured = async (b: Omit<Built, 'measuredUs'>): Promise<Built> =>
    ({ ...b, measuredUs: b.derived.fetchUs + (await measure(b.trained.bytes, b.trained.mlp.cardInputs(), b.derived.networkUs)) });
  // One retrain seed per build (what retrainRng.fork() would seed): the neighbours retrain with the same one.
  const trainAt = async (derived: Derived, seed: number) => ({ derived, trained: await retrain(derived, ctx.features, ctx.stats, splits, config, options, createRng(seed)), seed });
  const build = async (kept: ReadonlySet<string>, budgetUs: number | undefined) => measured(await trainAt(derive({ ...deriveInput, kept, budgetUs }), retrainRng.next() * 2 ** 32));
  let pruned = await refine(undefined, config.budgetUs);
  let built = await build(pruned.kept, config.budgetUs);
  let budgetUs = config.budgetUs;
  // Budget check on the measured latency: when the real run is slower than the table says, refine once more.
  if (budgetUs !== undefined && built.measuredUs > budgetUs) {
    budgetUs = Math.max(0, budgetUs - (built.measuredUs - built.derived.totalUs));
    pruned = await refine(pruned.kept, budgetUs);
    built = await build(pruned.kept, budgetUs);
  }
  if (config.budgetUs === undefined || budgetUs === undefined || !config.neighbours) return { ...built, pruned };
  const chosen = await tryNeighbours(ctx, config, built, budgetUs, trainAt);
  if (chosen.best === undefined) return { ...built, neighbours: chosen.tries, pruned };
  const best = await measured(chosen.best);
  // A neighbour the table admits but the measured run does not is given up for the derived model.
  if (best.measuredUs > config.budgetUs) return { ...built, neighbours: chosen.tries.map((t) => (t.result === 'kept' ? { ...t, result: 'over budget' as const } : t)), pruned };
  return { ...best, neighbours: chosen.tries, pruned };
}

type Built = { derived: Derived; trained: Awaited<ReturnType<typeof retrain>>; measuredUs: number; seed: number };
type Trained = Omit<Built, 'measuredUs'>;

/** Retrains the derived network's neighbours that fit the budget; returns the one that won on validation, if any. */
async function tryNeighbours(ctx: SearchContext, config: SearchConfig, built: Built, budgetUs: number, trainAt: (d: Derived, seed: number) => Promise<Trained>) {
  const { supernet, latency, splits } = ctx;
  const widths = supernet.mixops[0].ops.flatMap((op) => (op.kind === 'dense' ? [op.width] : []));
  const input = { architecture: built.derived.architecture, features: ctx.features, theta: supernet.theta(), widths, maxLayers: supernet.mixops.length, latency, budgetUs };
  const trial = async (b: Trained) => ({ built: b, losses: await validationLosses(b.trained.mlp, splits.validation, config), validRecall: b.trained.records.at(-1)?.validRecall });
  const derivedNeighbour = { label: 'derived', architecture: built.derived.architecture, expectedUs: built.derived.totalUs };
  const choice = await chooseNeighbour(input, derivedNeighbour, await trial(built), async (c) => {
    const derived = { architecture: c.architecture, ...latency.derivedUs(new Set(c.architecture.features), c.architecture.layers), repairs: [...built.derived.repairs, `neighbour: ${c.label}`] };
    return trial(await trainAt(derived, built.seed));
  });
  return { best: choice.chosen ? choice.best.built : undefined, tries: choice.tries };
}

/** Per-request listwise loss of the model on the validation split (what the neighbours are compared on). */
async function validationLosses(mlp: Mlp, validation: Dataset, config: SearchConfig): Promise<Float64Array> {
  const scale = teacherScale(validation.teacher);
  const scores = await mlpScores(mlp, validation, config.threads);
  return requestListwiseLosses({ offsets: validation.requestOffsets, scores, teacher: validation.teacher }, (t) => teacherLogit(scale, t));
}

/** Every request whose index falls in the first `fraction` of each block of ten goes to the architecture half. */
function archSplit(train: Dataset, fraction: number): { weights: Dataset; arch?: Dataset } {
  const cut = Math.round(fraction * 10);
  const arch: number[] = [];
  const weights: number[] = [];
  for (let q = 0; q < train.requests; q++) (q % 10 < cut ? arch : weights).push(q);
  if (arch.length === 0 || weights.length === 0) return { weights: train };
  return { weights: subsetRequests(train, weights), arch: subsetRequests(train, arch) };
}

async function retrain(
  derived: Derived,
  features: readonly Feature[],
  stats: ReadonlyMap<string, Normalisation>,
  splits: DatasetSplits,
  config: SearchConfig,
  options: SearchOptions,
  rng: ReturnType<typeof createRng>,
): Promise<{ mlp: Mlp; records: RetrainRecord[]; bytes: Uint8Array }> {
  const mlp = Mlp.fromConfig(features, derived.architecture, stats, rng.fork());
  const records = await trainMlp(mlp, splits.train, { ...config, epochs: config.retrainEpochs, validation: splits.validation, onStep: options.onStep }, rng.fork());
  return { mlp, records, bytes: mlp.exportModel() };
}

function makeHistory(
  config: SearchConfig,
  features: readonly Feature[],
  epochs: readonly (EpochRecord & { round: number })[],
  derived: Derived,
  measuredUs: number,
  retrain: readonly RetrainRecord[],
  test: Record<string, number>,
  pruned: { readonly steps: readonly PruneStep[]; readonly tries?: readonly DeriveTry[] },
  redundant: readonly RedundantFeature[],
  neighbours: readonly NeighbourTry[] | undefined,
): SearchHistory {
  return {
    version: 1,
    ...(config.budgetUs !== undefined ? { budgetUs: config.budgetUs } : {}),
    config: toConfig(config),
    features: features.map((f) => ({ name: f.name, side: f.side, source: f.source, costUs: featureCostUs(f) })),
    epochs,
    derived: {
      features: derived.architecture.features,
      layers: derived.architecture.layers,
      expectedUs: derived.totalUs,
      featureUs: derived.featureUs,
      networkUs: derived.networkUs,
      measuredUs,
      pruned: pruned.steps,
      ...(pruned.tries ? { tries: pruned.tries } : {}),
      ...(neighbours ? { neighbours } : {}),
      redundant,
      repairs: derived.repairs,
    },
    retrain,
    test,
  };
}
