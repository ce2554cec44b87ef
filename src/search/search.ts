// runSearch: split by request, search the supernet (lambda2 fixed or tuned to a budget), derive, retrain from scratch
// with distillation, export, measure, and write model.onnx + model.json + history.json.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Feature } from '../schema/feature-spec.js';
import { createRng } from '../util/random.js';
import { budgetLambda2, fixedLambda2 } from './budget.js';
import { parseSearchOptions, toConfig, type SearchConfig, type SearchOptions } from './config.js';
import { splitByRequest, subsetRequests } from './dataset.js';
import type { Dataset, DatasetSplits } from './dataset-types.js';
import { derive, type Derived } from './derive.js';
import { HISTORY_FILE, type EpochRecord, type RetrainRecord, type SearchHistory } from './history.js';
import { embeddedWidth, numericStats, type Normalisation } from './inputs.js';
import { featureFetchUs, LatencyModel } from './latency-model.js';
import { LatencyLookup, loadLatencyTable } from './latency-table.js';
import { measureModelUs } from './measure.js';
import { Mlp } from './mlp.js';
import { trainMlp } from './mlp-train.js';
import { exportSearched, testMetrics, type SearchProvenance } from './search-export.js';
import { searchSupernet } from './search-loop.js';
import { findRedundant, type RedundantFeature } from './redundancy.js';
import { pruneFeatures, type PruneStep } from './prune.js';
import { searchSpace, Supernet } from './supernet.js';
import type { ModelCard } from '../schema/model-card.js';

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
  const table = options.latencyTable ?? (await loadLatencyTable());
  const lookup = new LatencyLookup(table);
  const splits = splitByRequest(dataset, { train: 1 - config.validFraction - config.testFraction, validation: config.validFraction, test: config.testFraction }, config.seed);
  const redundant = findRedundant(splits.train, dataset.spec.features);
  const features: readonly Feature[] = dataset.spec.features.filter((f) => !redundant.some((r) => r.feature === f.name));
  const stats = numericStats(splits.train, features);
  const space = searchSpace(config);
  const latency = new LatencyModel(
    features.map((f) => ({ name: f.name, source: f.source, side: f.side, us: featureFetchUs(f), width: embeddedWidth(f, config.embeddingDim) })),
    space.map((m) => m.ops),
    lookup,
    config.betaUs ?? table.inputUs,
    config.candidates,
  );
  const rng = createRng(config.seed);
  const supernet = new Supernet(features, stats, { features: features.map((f) => f.name), embeddingDim: config.embeddingDim, mixops: space, initialKeep: config.initialKeep }, rng.fork());
  const { weights, arch } = archSplit(splits.train, config.archFraction);
  // The dual step is sized so that lambda2 can move by about e^2 per epoch at full violation.
  const stepsPerEpoch = Math.max(1, Math.ceil(weights.rows / (config.requestsPerBatch * config.candidatesPerRequest)));
  const lambda2 = config.budgetUs === undefined
    ? fixedLambda2(config.lambda2)
    : budgetLambda2(config.budgetUs, { initial: config.lambda2, rate: Math.min(0.05, 2 / stepsPerEpoch) });
  const epochs = await searchSupernet({
    supernet, train: weights, archTrain: arch, validation: splits.validation, latency, lambda2, config, rng: rng.fork(), round: 1, started,
    onEpoch: options.onEpoch, onStep: options.onStep,
  });
  const deriveInput = {
    features,
    theta: supernet.theta(),
    mixops: supernet.mixops.map((m) => ({ ops: m.ops, probs: m.probs() })),
    latency,
    keepThreshold: config.keepThreshold,
    embeddingDim: config.embeddingDim,
  };
  const retrainRng = rng.fork();
  const first = derive(deriveInput);
  const refine = (kept: ReadonlySet<string>, budgetUs: number | undefined) =>
    pruneFeatures({ supernet, data: arch ?? splits.validation, config, latency, lambda2: lambda2.value, kept, layers: first.architecture.layers, budgetUs });
  let pruned = await refine(new Set(first.architecture.features), config.budgetUs);
  let derived = derive({ ...deriveInput, kept: pruned.kept, budgetUs: config.budgetUs });
  let trained = await retrain(derived, features, stats, splits, config, options, retrainRng.fork());
  let measuredUs = derived.fetchUs + (await measureModelUs(trained.bytes, trained.mlp.cardInputs(), splits.test, config.candidates));
  // Budget check on the measured latency: when the real run is slower than the table says, refine once more.
  if (config.budgetUs !== undefined && measuredUs > config.budgetUs) {
    const tighter = Math.max(0, config.budgetUs - (measuredUs - derived.totalUs));
    pruned = await refine(pruned.kept, tighter);
    derived = derive({ ...deriveInput, kept: pruned.kept, budgetUs: tighter });
    trained = await retrain(derived, features, stats, splits, config, options, retrainRng.fork());
    measuredUs = derived.fetchUs + (await measureModelUs(trained.bytes, trained.mlp.cardInputs(), splits.test, config.candidates));
  }
  const test = await testMetrics(trained.mlp, splits.test, config);
  const history = makeHistory(config, dataset.spec.features, epochs, derived, measuredUs, trained.records, test, pruned.steps, redundant);
  const card = await exportSearched({
    out: output.out, mlp: trained.mlp, bytes: trained.bytes, derived, config, supernet, lambda2: lambda2.value,
    measuredUs, validRecall: trained.records.at(-1)?.validRecall, test, provenance: output.provenance, redundant,
  });
  if (output.out) await writeFile(join(output.out, HISTORY_FILE), `${JSON.stringify(history, null, 1)}\n`);
  return { card, modelBytes: trained.bytes, history, derived, mlp: trained.mlp, splits, config };
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
  pruned: readonly PruneStep[],
  redundant: readonly RedundantFeature[],
): SearchHistory {
  return {
    version: 1,
    ...(config.budgetUs !== undefined ? { budgetUs: config.budgetUs } : {}),
    config: toConfig(config),
    features: features.map((f) => ({ name: f.name, side: f.side, source: f.source, costUs: f.costUs ?? 0 })),
    epochs,
    derived: {
      features: derived.architecture.features,
      layers: derived.architecture.layers,
      expectedUs: derived.totalUs,
      featureUs: derived.featureUs,
      networkUs: derived.networkUs,
      measuredUs,
      pruned,
      redundant,
      repairs: derived.repairs,
    },
    retrain,
    test,
  };
}
