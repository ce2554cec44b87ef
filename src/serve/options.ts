// The pre-ranker's options: one zod schema for the JSON-able part (it also makes the manifest's JSON Schema), defaults in one place.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { optionError } from '../schema/errors.js';
import { formatPath } from '../schema/zod-issues.js';
import { checkKnownOptions } from './known-options.js';
import type { BaselineEmbeddings, PreRankerCodeOptions } from './option-types.js';

const defaultWorkers = Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2)));
const defaultMaxQueue = 32 * availableParallelism();

/** The JSON-able options (strings, numbers, enums). Function-valued options are listed in `CODE_OPTION_NAMES`. */
export const preRankerJsonOptionsSchema = z.strictObject({
  model: z.string().min(1).describe('Directory of the pre-ranking model artifact (model.onnx + model.json).'),
  baseline: z
    .string()
    .min(1)
    .optional()
    .describe('Directory of a `vector` artifact used as the fallback scorer (or, in code, accessors for precomputed embeddings).'),
  featureSpec: z.string().min(1).optional().describe('Path of features.json; when set, every artifact is checked against it.'),
  k: z.number().int().min(1).default(100).describe('Candidates kept after pre-ranking.'),
  maxCandidates: z.number().int().min(1).max(1_000_000).default(5000).describe('Most candidates scored per request.'),
  overflow: z
    .enum(['tail', 'refuse'])
    .default('tail')
    .describe('Beyond `maxCandidates`: `tail` keeps the excess unscored after the scored ones; `refuse` passes the request through.'),
  timeoutMs: z.number().positive().default(50).describe('Deadline of the model path (store read, encoding and the model run), in milliseconds; past it the request falls back. Also bounds each flag evaluation and vector scoring.'),
  errorThresholdPercentage: z.number().min(1).max(100).default(50).describe('Failure percentage that opens the breaker.'),
  volumeThreshold: z.number().int().min(0).default(10).describe('Calls in the rolling window before the breaker may open.'),
  resetTimeoutMs: z.number().positive().default(10_000).describe('Time the breaker stays open before a trial call.'),
  rollingWindowMs: z.number().int().min(10).default(10_000).describe('Length of the breaker statistics window.'),
  workers: z.number().int().min(1).max(64).optional().describe('Worker threads, one ONNX Runtime session each (default: half the CPUs, 1 to 4).'),
  threadsPerWorker: z.number().int().min(1).max(64).default(1).describe('ONNX Runtime intra-op threads per worker.'),
  workerSpinUs: z
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(500)
    .describe('After each model run a worker polls for the next one up to this many microseconds before it sleeps, while runs lately came closer together than that: a polling thread needs no wake-up; polling costs CPU (0 = sleep at once).'),
  answerSpinUs: z
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(2000)
    .describe("After posting a model run, the host's event loop polls for its answer up to this many microseconds instead of sleeping (each turn still serves I/O and timers): the answer is picked up without a thread wake-up; polling costs CPU on the event loop's core while a run is out (0 = sleep at once)."),
  maxQueue: z.number().int().min(0).default(0).describe('Model runs allowed to wait for a worker (0 = 32 per CPU, from os.availableParallelism()); beyond it, or when the expected wait exceeds the time left, the request is shed to the fallback.'),
  storeFeaturesFrom: z
    .enum(['itemStore', 'candidates'])
    .default('itemStore')
    .describe("Where the model's `source: \"store\"` item and cross features come from: `itemStore` (start-up refuses a model that reads any when no `itemStore` is given) or `candidates` (the matching hop puts them on each candidate's `features`)."),
  itemCacheSize: z.number().int().min(0).default(100_000).describe('Entries of the item-feature LRU in front of `itemStore` (0 = off).'),
  itemCacheTtlMs: z.number().int().min(0).default(300_000).describe('Lifetime of an item-feature cache entry (0 = no expiry).'),
  embeddingCacheSize: z.number().int().min(1).default(200_000).describe('Entries of the item-embedding LRU of the vector fallback.'),
});

export type PreRankerJsonOptions = z.input<typeof preRankerJsonOptionsSchema>;
type JsonConfig = z.output<typeof preRankerJsonOptionsSchema>;

/** Options of `createPreRanker`: the JSON-able part plus code hooks. */
export interface PreRankerOptions extends Omit<Readonly<PreRankerJsonOptions>, 'baseline'>, PreRankerCodeOptions {
  /** A `vector` artifact directory, or accessors for precomputed embeddings. @default none (fallback keeps matching order) */
  readonly baseline?: string | BaselineEmbeddings;
}

/** The complete configuration after defaults. */
export interface PreRankerConfig extends Readonly<Omit<JsonConfig, 'baseline' | 'workers'>>, Required<Omit<PreRankerCodeOptions, 'flags' | 'itemStore'>> {
  readonly baseline: string | BaselineEmbeddings | null;
  readonly workers: number;
  readonly flags: PreRankerCodeOptions['flags'] | null;
  readonly itemStore: PreRankerCodeOptions['itemStore'] | null;
}

/** Options given as functions or objects with methods; they cannot be in JSON Schema. */
export const CODE_OPTION_NAMES = ['itemStore', 'getContext', 'getCandidates', 'setCandidates', 'getUnitId', 'flags', 'logger'] as const;

const JSON_OPTION_NAMES = Object.keys(preRankerJsonOptionsSchema.shape);
const ALL_OPTION_NAMES = [...JSON_OPTION_NAMES, ...CODE_OPTION_NAMES];

/** JSON Schema of the JSON-able options, as the manifest publishes it. */
export function preRankerOptionsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(preRankerJsonOptionsSchema, { io: 'input' }) as Record<string, unknown>;
}

/** Validates options once and fills every default; throws ERR_AUTOFAS_OPTION naming the option and value. */
export function parseOptions(options: PreRankerOptions): PreRankerConfig {
  if (typeof options !== 'object' || options === null) throw optionError('options', 'must be an object', options);
  checkKnownOptions(options, ALL_OPTION_NAMES, 'createPreRanker');
  const { baseline, ...rest } = options as unknown as Record<string, unknown>;
  const jsonPart: Record<string, unknown> = {};
  for (const name of JSON_OPTION_NAMES) if (rest[name] !== undefined) jsonPart[name] = rest[name];
  const result = preRankerJsonOptionsSchema.safeParse(jsonPart);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = formatPath(issue.path);
    throw optionError(name, `is invalid (${issue.message})`, jsonPart[String(issue.path[0])]);
  }
  if (result.data.k > result.data.maxCandidates) throw optionError('k', `must be at most maxCandidates (${result.data.maxCandidates})`, result.data.k);
  return { ...result.data, workers: result.data.workers ?? defaultWorkers, maxQueue: result.data.maxQueue || defaultMaxQueue, ...parseCodeOptions(options), baseline: parseBaseline(baseline) };
}

function parseBaseline(value: unknown): string | BaselineEmbeddings | null {
  if (value === undefined) return null;
  if (typeof value === 'string' && value !== '') return value;
  const accessors = value as BaselineEmbeddings;
  if (typeof value === 'object' && value !== null && typeof accessors.getContextEmbedding === 'function' && typeof accessors.getItemEmbeddings === 'function') {
    return accessors;
  }
  throw optionError('baseline', 'must be an artifact directory or { getContextEmbedding, getItemEmbeddings }', value);
}

const consoleLogger = {
  warn: (message: string, details?: Readonly<Record<string, unknown>>) => console.warn(`[autofas] ${message}`, details ?? ''),
};

function parseCodeOptions(options: PreRankerOptions): Omit<PreRankerConfig, keyof JsonConfig | 'baseline'> {
  for (const name of ['getContext', 'getCandidates', 'setCandidates', 'getUnitId'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw optionError(name, 'must be a function', options[name]);
  }
  checkMethods('itemStore', options.itemStore, ['get']);
  checkMethods('flags', options.flags, ['evaluate']);
  checkMethods('logger', options.logger, ['warn']);
  return {
    getContext: options.getContext ?? ((_req, res) => (res.locals.search as { context?: unknown } | undefined)?.context),
    getCandidates: options.getCandidates ?? ((_req, res) => (res.locals.search as { candidates?: unknown } | undefined)?.candidates),
    setCandidates: options.setCandidates ?? ((_req, res, candidates) => void ((res.locals.search as { candidates: unknown }).candidates = candidates)),
    getUnitId: options.getUnitId ?? ((_req, res) => (res.locals.search as { unitId?: string } | undefined)?.unitId),
    itemStore: options.itemStore ?? null,
    flags: options.flags ?? null,
    logger: options.logger ?? consoleLogger,
  };
}

function checkMethods(name: string, value: unknown, methods: readonly string[]): void {
  if (value === undefined) return;
  const ok = typeof value === 'object' && value !== null && methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
  if (!ok) throw optionError(name, `must be an object with ${methods.map((m) => `${m}()`).join(', ')}`, value);
}
