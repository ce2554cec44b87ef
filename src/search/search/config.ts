// Search options: the public SearchOptions, their one parseSearchOptions() with every default, and JSON round trips.
import { optionError } from '../../schema/errors.js';
import { intOption, numberOption, widthsOption } from '../../schema/option-values.js';
import type { CardInput } from '../../schema/model-card.js';
import type { LatencyTable } from '../latency/latency-table.js';
import type { EpochRecord } from './history.js';

/** Distillation form: the paper's pointwise squared distance, or listwise CE over each request's candidates. */
export type DistillMode = 'pointwise' | 'listwise';

/** What a weight step trains: one sampled path of the supernet, or the whole mixture. */
export type WeightSteps = 'path' | 'mixture';

/** Options of runSearch / `autofas search`. Every field is optional. */
export interface SearchOptions {
  /** Candidate hidden widths of each Mixop. @default [256, 128, 64, 32] */
  readonly widths?: readonly number[];
  /** Number of Mixops (hidden layers of the supernet). @default 3 */
  readonly mixops?: number;
  /** Give Mixops after the first an identity candidate so depth can shrink. @default true */
  readonly identity?: boolean;
  /** Embedding width of categorical features. @default 8 */
  readonly embeddingDim?: number;
  /** Weight of distillation against the task loss (loss = (1-l1) task + l1 distill + l2 E[lat]). @default 0.7 */
  readonly lambda1?: number;
  /** Fixed latency weight (per millisecond of expected latency). Exclusive with `budgetUs`. @default 0.05 without a budget */
  readonly lambda2?: number;
  /** Latency budget per 1000 candidates (features + network), microseconds; lambda2 is tuned to meet it. @default none */
  readonly budgetUs?: number;
  /** Distillation form. @default 'listwise' */
  readonly distill?: DistillMode;
  /** Temperature of the Gumbel-sigmoid feature gates. @default 0.5 */
  readonly gateTemperature?: number;
  /** Keep-probability every feature starts the search with. @default 0.5 */
  readonly initialKeep?: number;
  /** Keep-probability a feature needs to be derived. @default 0.5 */
  readonly keepThreshold?: number;
  /** Per-feature overhead beta of the paper's Eq. 3, us per 1000 candidates. @default the latency table's inputUs */
  readonly betaUs?: number;
  /**
   * Weight of the masks' own complexity prior (FSCD style), per millisecond: a feature's mask pays
   * `sparsity * (L_i + beta) / 1000` in the search when its source does not bind Eq. 3-4's max (so cheap useless
   * request features drift off), and derive keeps or re-admits a feature only when its loss gain exceeds that price.
   * 0 disables. @default 0.5
   */
  readonly sparsity?: number;
  /** Search epochs (an epoch samples as many rows as the training split holds). @default 6 */
  readonly epochs?: number;
  /**
   * How a weight step trains the supernet: 'path' samples one operator per Mixop from softmax(alpha) and trains that
   * path only (ProxylessNAS; a step costs one network), 'mixture' trains every candidate through the weighted sum
   * (DARTS). Arch steps use the mixture either way. @default 'path'
   */
  readonly weightSteps?: WeightSteps;
  /**
   * Most candidate rows one search epoch samples (weight steps x batch rows): logs bigger than this make the retrain
   * longer, not the search, whose job is to rank features and operators. @default 524288
   */
  readonly searchRowsPerEpoch?: number;
  /** Epochs that train weights only before masks and architecture move. @default 1 */
  readonly warmupEpochs?: number;
  /** Epochs to retrain the derived network from scratch. @default 6 */
  readonly retrainEpochs?: number;
  /**
   * Under a budget, after the retrain: retrain up to four neighbours of the derived network that fit the budget (every
   * dropped feature that fits, the costliest kept feature traded for width, a layer wider, a layer deeper) and keep
   * one when it wins significantly on validation. @default true
   */
  readonly neighbours?: boolean;
  /** Share of training requests held out for the mask and alpha updates (first-order DARTS). @default 0.3 */
  readonly archFraction?: number;
  /** Requests per minibatch. @default 4 */
  readonly requestsPerBatch?: number;
  /** Candidates sampled per request in a minibatch. @default 256 */
  readonly candidatesPerRequest?: number;
  /** Adam learning rate of the network weights. @default 0.003 */
  readonly learningRate?: number;
  /** Adam learning rate of the feature logits and Mixop alphas. @default 0.05 */
  readonly archLearningRate?: number;
  /** Candidates per request the latency model and the budget refer to. @default 1000 */
  readonly candidates?: number;
  /** Seed of every random choice (splits, init, sampling, gates). @default 1 */
  readonly seed?: number;
  /** ORT intra-op threads for training. @default 1 */
  readonly threads?: number;
  /** Share of requests held out for validation / test. @default 0.1 each */
  readonly validFraction?: number;
  readonly testFraction?: number;
  /** Recall@K reported on validation and test: teacher top `recallTop` kept in the model's top `recallK`. @default 100, 10 */
  readonly recallK?: number;
  readonly recallTop?: number;
  /** Measured operator latencies. @default the table shipped in fixtures/latency/default.json */
  readonly latencyTable?: LatencyTable;
  /**
   * Measures the exported network's microseconds per request of `candidates` rows (`tableUs` is the latency table's
   * estimate); a result over the budget triggers one tighter refinement. Tests pass a deterministic one.
   * @default the median of 40 onnxruntime-node runs on this machine (measureModelUs)
   */
  readonly measureNetworkUs?: (modelBytes: Uint8Array, inputs: readonly CardInput[], tableUs: number) => Promise<number>;
  /** Called after every search epoch. @default no-op */
  readonly onEpoch?: (record: EpochRecord & { readonly round: number }) => void;
  /** Called after every step with a short status (for progress bars). @default no-op */
  readonly onStep?: (status: StepStatus) => void;
}

/** What a progress bar shows. */
export interface StepStatus {
  readonly phase: 'search' | 'retrain';
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly expectedUs?: number;
  readonly features?: number;
}

/** The complete configuration (every default filled in). */
export interface SearchConfig {
  readonly widths: readonly number[];
  readonly mixops: number;
  readonly identity: boolean;
  readonly embeddingDim: number;
  readonly lambda1: number;
  readonly lambda2: number;
  readonly budgetUs: number | undefined;
  readonly distill: DistillMode;
  readonly gateTemperature: number;
  readonly initialKeep: number;
  readonly keepThreshold: number;
  readonly betaUs: number | undefined;
  readonly sparsity: number;
  readonly epochs: number;
  readonly weightSteps: WeightSteps;
  readonly searchRowsPerEpoch: number;
  readonly warmupEpochs: number;
  readonly retrainEpochs: number;
  readonly neighbours: boolean;
  readonly archFraction: number;
  readonly requestsPerBatch: number;
  readonly candidatesPerRequest: number;
  readonly learningRate: number;
  readonly archLearningRate: number;
  readonly candidates: number;
  readonly seed: number;
  readonly threads: number;
  readonly validFraction: number;
  readonly testFraction: number;
  readonly recallK: number;
  readonly recallTop: number;
}

const KNOWN = new Set([
  'widths', 'mixops', 'identity', 'embeddingDim', 'lambda1', 'lambda2', 'budgetUs', 'distill', 'gateTemperature',
  'initialKeep', 'keepThreshold', 'betaUs', 'sparsity', 'epochs', 'weightSteps', 'searchRowsPerEpoch', 'warmupEpochs', 'retrainEpochs', 'neighbours', 'archFraction', 'requestsPerBatch', 'candidatesPerRequest',
  'learningRate', 'archLearningRate', 'candidates', 'seed', 'threads', 'validFraction', 'testFraction', 'recallK',
  'recallTop', 'latencyTable', 'measureNetworkUs', 'onEpoch', 'onStep',
]);

const int = intOption;
const num = numberOption;

function widthsOf(v: unknown): readonly number[] {
  return [...new Set(widthsOption('widths', v, [256, 128, 64, 32]))].sort((a, b) => b - a);
}

/** Weight steps of one search epoch over `rows` training rows: a pass over them, capped at `searchRowsPerEpoch`. */
export function searchStepsPerEpoch(rows: number, config: SearchConfig): number {
  const batchRows = config.requestsPerBatch * config.candidatesPerRequest;
  return Math.max(1, Math.ceil(Math.min(rows, config.searchRowsPerEpoch) / batchRows));
}

/** Turns SearchOptions into a SearchConfig; a bad or unknown option throws ERR_AUTOFAS_OPTION naming it. */
export function parseSearchOptions(options: SearchOptions = {}): SearchConfig {
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) throw optionError(key, 'is not a search option', (options as Record<string, unknown>)[key]);
  if (options.lambda2 !== undefined && options.budgetUs !== undefined) {
    throw optionError('lambda2', 'cannot be given together with `budgetUs` (the budget tunes lambda2)', options.lambda2);
  }
  const distill = options.distill === undefined ? 'listwise' : options.distill;
  if (distill !== 'pointwise' && distill !== 'listwise') throw optionError('distill', "must be 'pointwise' or 'listwise'", distill);
  if (options.identity !== undefined && typeof options.identity !== 'boolean') throw optionError('identity', 'must be a boolean', options.identity);
  if (options.neighbours !== undefined && typeof options.neighbours !== 'boolean') throw optionError('neighbours', 'must be a boolean', options.neighbours);
  const weightSteps = options.weightSteps === undefined ? 'path' : options.weightSteps;
  if (weightSteps !== 'path' && weightSteps !== 'mixture') throw optionError('weightSteps', "must be 'path' or 'mixture'", weightSteps);
  const validFraction = num('validFraction', options.validFraction, 0.1, 0, 0.5, true);
  const testFraction = num('testFraction', options.testFraction, 0.1, 0, 0.5, true);
  return {
    widths: widthsOf(options.widths),
    mixops: int('mixops', options.mixops, 3),
    identity: options.identity ?? true,
    embeddingDim: int('embeddingDim', options.embeddingDim, 8),
    lambda1: num('lambda1', options.lambda1, 0.7, 0, 1),
    lambda2: num('lambda2', options.lambda2, 0.05, 0),
    budgetUs: options.budgetUs === undefined ? undefined : num('budgetUs', options.budgetUs, 0, 0, Infinity, true),
    distill,
    gateTemperature: num('gateTemperature', options.gateTemperature, 0.5, 0, 10, true),
    initialKeep: num('initialKeep', options.initialKeep, 0.5, 0, 1 - 1e-6, true),
    keepThreshold: num('keepThreshold', options.keepThreshold, 0.5, 0, 1, true),
    betaUs: options.betaUs === undefined ? undefined : num('betaUs', options.betaUs, 0, 0),
    sparsity: num('sparsity', options.sparsity, 0.5, 0),
    epochs: int('epochs', options.epochs, 6),
    weightSteps,
    searchRowsPerEpoch: int('searchRowsPerEpoch', options.searchRowsPerEpoch, 1 << 19),
    warmupEpochs: int('warmupEpochs', options.warmupEpochs, 1, 0),
    retrainEpochs: int('retrainEpochs', options.retrainEpochs, 6),
    neighbours: options.neighbours ?? true,
    archFraction: num('archFraction', options.archFraction, 0.3, 0, 0.9),
    requestsPerBatch: int('requestsPerBatch', options.requestsPerBatch, 4),
    candidatesPerRequest: int('candidatesPerRequest', options.candidatesPerRequest, 256, 2),
    learningRate: num('learningRate', options.learningRate, 0.003, 0, 1, true),
    archLearningRate: num('archLearningRate', options.archLearningRate, 0.05, 0, 10, true),
    candidates: int('candidates', options.candidates, 1000),
    seed: int('seed', options.seed, 1, 0),
    threads: int('threads', options.threads, 1),
    validFraction,
    testFraction,
    recallK: int('recallK', options.recallK, 100),
    recallTop: int('recallTop', options.recallTop, 10),
  };
}

/** The JSON-safe form of a config (history.json, provenance); undefined fields are left out. */
export function toConfig(config: SearchConfig): Record<string, unknown> {
  return JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
}

/** Rebuilds a config from its JSON form (validated like options; with a budget, lambda2 is its starting value). */
export function fromConfig(json: Readonly<Record<string, unknown>>): SearchConfig {
  const { lambda2, ...rest } = json as SearchOptions;
  const config = parseSearchOptions(rest.budgetUs === undefined ? { ...rest, lambda2 } : rest);
  return { ...config, lambda2: num('lambda2', lambda2, config.lambda2, 0) };
}
