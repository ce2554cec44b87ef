// createPreRanker: loads and warms the model, builds the fallback chain, and returns the Express middleware with its controls.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { HostNext, HostRequest, HostResponse } from './http-types.js';
import { loadArtifact } from '../schema/artifact.js';
import { autofasError } from '../schema/errors.js';
import { loadFeatureSpec } from '../schema/feature-spec.js';
import type { FeatureSpec } from '../schema/feature-spec.js';
import type { ModelCard } from '../schema/model-card.js';
import { breakerState, createBreaker } from './breaker.js';
import type { Counters, Engine, ModelSlot, PreRankerHooks } from './engine.js';
import type { PlanOptions } from './feature-plan.js';
import type { FeedBatch } from './feed-layout.js';
import { GuardedItemStore, memoryItemStore } from './item-store.js';
import { ModelPool } from './model-pool.js';
import { parseOptions } from './options.js';
import type { PreRankerConfig, PreRankerOptions } from './options.js';
import { preRankRequest } from './pre-rank-request.js';
import { RUNS_PER_WORKER, RunQueue } from './run-queue.js';
import type { ScoreResult } from './score-worker.js';
import { staticFlags } from './static-flags.js';
import { checkStoreFeatures, storeFeaturesFromCandidates } from './store-features.js';
import type { ActiveModels, PreRanker, PreRankEventMap, PreRankStats } from './types.js';
import { AccessorVectorScorer, ArtifactVectorScorer } from './vector-scorer.js';
import type { VectorScorer } from './vector-scorer.js';

/**
 * Creates the pre-rank middleware: validates options, loads and validates the model artifact (and the baseline),
 * warms one ONNX Runtime session per worker. A bad option or artifact rejects with a coded error.
 */
export function createPreRanker(options: PreRankerOptions): Promise<PreRanker> {
  return createPreRankerWithHooks(options, {});
}

/** @internal `createPreRanker` with internal test and bench hooks. */
export async function createPreRankerWithHooks(options: PreRankerOptions, hooks: PreRankerHooks): Promise<PreRanker> {
  const config = parseOptions(options);
  const spec = config.featureSpec ? await loadFeatureSpec(config.featureSpec) : undefined;
  const events = new EventEmitter<PreRankEventMap>();
  const store = new GuardedItemStore(config.itemStore ?? memoryItemStore(), { breaker: config, onBreaker: (state) => events.emit('store-breaker', state) });
  const pool = await openPool(config, hooks, config.model, spec);
  let vector: VectorScorer | null;
  try {
    vector = await openVector(config, store, spec);
  } catch (err) {
    store.shutdown();
    await pool.destroy();
    throw err;
  }
  const engine = buildEngine(config, hooks, events, store, pool, vector);
  return assemble(engine, spec);
}

/**
 * How a model's features are planned: store features from the candidates when declared so or when there is no store;
 * the row cache, shared with the workers (they copy the cached rows a request names, see row-gather.ts).
 */
function planOptions(config: PreRankerConfig, hooks: PreRankerHooks): PlanOptions {
  const rowCache = { max: config.itemCacheSize, ttlMs: config.itemCacheTtlMs, shared: true, ...(hooks.cachePerf ? { perf: hooks.cachePerf } : {}) };
  return { storeFromCandidates: storeFeaturesFromCandidates(config), rowCache };
}

function openPool(config: PreRankerConfig, hooks: PreRankerHooks, dir: string, spec: FeatureSpec | undefined, previous?: ModelPool): Promise<ModelPool> {
  const options = { workers: config.workers, threadsPerWorker: config.threadsPerWorker, spinUs: config.workerSpinUs, answerSpinUs: config.answerSpinUs, plan: planOptions(config, hooks) };
  // The workers check the sessions they open against the card: no extra session just for the check.
  return loadArtifact(dir, { spec, checkOnnx: false }).then((artifact) => {
    checkStoreFeatures(config, artifact.card, dir);
    return ModelPool.open(artifact, options, previous);
  });
}

async function openVector(config: PreRankerConfig, store: GuardedItemStore, spec: FeatureSpec | undefined): Promise<VectorScorer | null> {
  if (config.baseline === null) return null;
  if (typeof config.baseline !== 'string') return new AccessorVectorScorer(config.baseline, config.embeddingCacheSize);
  const artifact = await loadArtifact(config.baseline, { spec, checkOnnx: false }); // checked on the scorer's own session
  checkStoreFeatures(config, artifact.card, config.baseline);
  return ArtifactVectorScorer.open(artifact, store, config.embeddingCacheSize, storeFeaturesFromCandidates(config));
}

function newCounters(): Counters {
  return { requests: 0, inFlight: 0, unitSeq: 0, byPath: { model: 0, vector: 0, 'matching-order': 0, passthrough: 0 }, fallbacks: {}, badInputs: {} };
}

function buildEngine(
  config: PreRankerConfig,
  hooks: PreRankerHooks,
  events: EventEmitter<PreRankEventMap>,
  store: GuardedItemStore,
  pool: ModelPool,
  vector: VectorScorer | null,
): Engine {
  const run = hooks.runModel ?? ((p: ModelPool, batch: FeedBatch) => p.run(batch, hooks.stallMs?.()));
  // The slot is freed when the run settles on the worker, not when its deadline passes: the worker is busy till then.
  const runInSlot = (p: ModelPool, batch: FeedBatch, slot: ModelSlot): Promise<ScoreResult> => {
    slot.taken = true;
    const running = run(p, batch, batch.rows);
    running.then((result) => slot.release(result.workerMs, result.answerDelayMs), () => slot.release());
    return running.then((result) => judgeRunTime(result, config.timeoutMs));
  };
  const now = hooks.now ?? (() => performance.now());
  const logged = new Set<string>();
  return {
    config,
    events,
    hooks,
    flags: config.flags ?? staticFlags(),
    store,
    vector,
    // The worker's own clock judges a run; the main-thread timer (4 x timeoutMs) only catches a worker that never answers,
    // so a busy event loop picking up an answer late is not a model failure.
    breaker: createBreaker('the model run', runInSlot, config, (state) => events.emit('breaker', state), 'ERR_AUTOFAS_TIMEOUT', 4 * config.timeoutMs),
    // RUNS_PER_WORKER slots per worker; the expected wait counts them against the workers, at their own run time.
    queue: new RunQueue({ slots: RUNS_PER_WORKER * config.workers, workers: config.workers, maxQueue: config.maxQueue, now }),
    counters: newCounters(),
    now,
    random: hooks.random ?? Math.random,
    pool,
    closed: false,
    log(code, message, details) {
      if (logged.has(code)) return;
      logged.add(code);
      try {
        config.logger.warn(`${code}: ${message}`, { code, ...details });
      } catch {
        // a failing logger must not fail the search
      }
    },
  };
}

/** A run that took longer than `timeoutMs` on its worker is a model failure (ERR_AUTOFAS_TIMEOUT), even if it answered. */
function judgeRunTime(result: ScoreResult, timeoutMs: number): ScoreResult {
  if (result.workerMs !== undefined && result.workerMs > timeoutMs) {
    throw autofasError('ERR_AUTOFAS_TIMEOUT', `the model run took ${result.workerMs.toFixed(1)} ms on its worker (timeoutMs ${timeoutMs})`);
  }
  return result;
}

const engines = new WeakMap<PreRanker, Engine>();

/** @internal The engine behind a pre-ranker (tests and benches reach the active pool through it). */
export function engineOf(preRanker: PreRanker): Engine {
  const engine = engines.get(preRanker);
  if (!engine) throw autofasError('ERR_AUTOFAS_OPTION', 'not a pre-ranker made by createPreRanker');
  return engine;
}

function assemble(engine: Engine, spec: FeatureSpec | undefined): PreRanker {
  const { counters, events } = engine;
  const preRank = function autofasPreRank(req: HostRequest, res: HostResponse, next: HostNext): void {
    counters.inFlight++;
    preRankRequest(engine, req, res)
      .catch((err: unknown) => {
        engine.log('ERR_AUTOFAS_SCORER', `unexpected failure, request passed through: ${(err as Error)?.message ?? String(err)}`);
        return { arm: 'off', path: 'passthrough', modelId: null, k: engine.config.k, candidatesIn: 0, candidatesOut: 0, latencyMs: 0, fallbackReason: 'ERR_AUTOFAS_SCORER' } as const;
      })
      .then((record) => {
        counters.inFlight--;
        counters.requests++;
        counters.byPath[record.path]++;
        res.locals.preRank = record;
        try {
          events.emit('request', record);
        } catch {
          // listeners (metrics) must not fail the search
        }
        next();
      });
  };
  const models = (): ActiveModels => ({ model: engine.closed ? null : engine.pool.card, baseline: engine.vector?.card ?? null });
  const control = {
    events,
    reload: serialReload(engine, spec),
    stats: (): PreRankStats => ({ requests: counters.requests, inFlight: counters.inFlight, byPath: { ...counters.byPath }, fallbacks: { ...counters.fallbacks }, badInputs: { ...counters.badInputs }, breaker: breakerState(engine.breaker), storeBreaker: breakerState(engine.store.breaker), models: models() }),
    models,
    ready: () => !engine.closed,
    close: () => closeEngine(engine),
  };
  const preRanker: PreRanker = Object.assign(preRank, control);
  engines.set(preRanker, engine);
  return preRanker;
}

function serialReload(engine: Engine, spec: FeatureSpec | undefined): (dir: string) => Promise<ModelCard> {
  let queue: Promise<unknown> = Promise.resolve();
  return (dir: string) => {
    const attempt = queue.then(() => reloadOnce(engine, spec, dir));
    queue = attempt.catch(() => undefined);
    return attempt;
  };
}

/** Loads, validates and warms `dir` in a new pool, swaps it in, then retires the old pool once its runs finish. */
async function reloadOnce(engine: Engine, spec: FeatureSpec | undefined, dir: string): Promise<ModelCard> {
  try {
    if (engine.closed) throw autofasError('ERR_AUTOFAS_CLOSED', 'the pre-ranker is closed');
    const next = await openPool(engine.config, engine.hooks, dir, spec, engine.pool); // [issue-7 edit] same worker threads
    if (engine.closed) {
      await next.destroy();
      throw autofasError('ERR_AUTOFAS_CLOSED', 'the pre-ranker was closed during the reload');
    }
    const old = engine.pool;
    engine.pool = next;
    engine.breaker.close();
    void old.retire();
    engine.events.emit('reload', { ok: true, modelId: next.card.modelId });
    return next.card;
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'ERR_AUTOFAS_RELOAD';
    engine.log(code, `reload of ${dir} refused, the old model keeps serving: ${(err as Error).message}`);
    engine.events.emit('reload', { ok: false, code, message: (err as Error).message });
    throw err;
  }
}

async function closeEngine(engine: Engine): Promise<void> {
  if (engine.closed) return;
  engine.closed = true;
  engine.breaker.shutdown();
  engine.store.shutdown();
  await Promise.all([engine.pool.release(), engine.vector?.release()]);
}
