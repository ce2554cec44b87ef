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
import { trainMlp } from '../retrain/mlp-train.js';
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
  const { derived, trained, measuredUs, pruned } = await deriveAndRetrain(ctx, config, options);
  const test = await testMetrics(trained.mlp, ctx.splits.test, config);
  const history = makeHistory(config, dataset.spec.features, epochs, derived, measuredUs, trained.records, test, pruned, ctx.redundant);
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
    return pruneFeatures({ supernet, data: ctx.arch ?? splits.validation, confirm: ctx.arch ? splits.validation : undefined, config, latency, lambda2: ctx.lambda2.value, kept: new Set(net.architecture.features), layers, budgetUs });
  };
  const build = async (kept: ReadonlySet<string>, budgetUs: number | undefined) => {
    const derived = derive({ ...deriveInput, kept, budgetUs });
    const trained = await retrain(derived, ctx.features, ctx.stats, splits, config, options, retrainRng.fork());
    const measure = options.measureNetworkUs ?? ((bytes, inputs) => measureModelUs(bytes, inputs, splits.test, config.candidates));
    const measuredUs = derived.fetchUs + (await measure(trained.bytes, trained.mlp.cardInputs(), derived.networkUs));
    return { derived, trained, measuredUs };
  };
  let pruned = await refine(undefined, config.budgetUs);
  let built = await build(pruned.kept, config.budgetUs);
  // Budget check on the measured latency: when the real run is slower than the table says, refine once more.
  if (config.budgetUs !== undefined && built.measuredUs > config.budgetUs) {
    const tighter = Math.max(0, config.budgetUs - (built.measuredUs - built.derived.totalUs));
    pruned = await refine(pruned.kept, tighter);
    built = await build(pruned.kept, tighter);
  }
  return { ...built, pruned };
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
      redundant,
      repairs: derived.repairs,
    },
    retrain,
    test,
  };
}
