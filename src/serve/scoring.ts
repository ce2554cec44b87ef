// The scoring paths of one request: model (pool, behind the breaker) -> vector fallback -> matching order, each counted.
import { autofasError, hasCode } from '../schema/errors.js';
import type { RawFeatureValue } from '../schema/teacher-log.js';
import { breakerReason } from './breaker.js';
import { RequestDeadline } from './deadline.js';
import type { Engine, ModelSlot } from './engine.js';
import type { Encoding, FeaturePlan } from './feature-plan.js';
import type { FeedBatch } from './feed-layout.js';
import type { GuardedItemStore, StoreScope } from './item-store.js';
import type { Arm, Candidate, ScoringPath } from './types.js';

type Context = Readonly<Record<string, RawFeatureValue>>;

/** What a request carries through its scoring paths: its one deadline and what it has spent of the store. */
export interface RequestScope {
  readonly deadline: RequestDeadline;
  readonly store: StoreScope;
  /** The candidates' item ids, built once. */
  readonly ids: readonly string[];
  /** The first repeated item id (field and message), or null; checked once, by the model path while its run is out. */
  readonly duplicateId: () => { readonly field: string; readonly message: string } | null;
}

/** How one arm scored a request: scores for the first rows, or none (matching order). */
export interface ArmResult {
  readonly path: ScoringPath;
  readonly scores: Float32Array | null;
  readonly modelId: string | null;
  readonly reason?: string;
}

const BAD_INPUT_CODES = new Set(['ERR_AUTOFAS_BAD_CANDIDATES', 'ERR_AUTOFAS_BAD_CONTEXT']);

/** Reports a bad input: a coded log line (once per code), a counter and a 'bad-input' event. */
export function reportBadInput(engine: Engine, code: string, field: string, message: string): void {
  engine.counters.badInputs[code] = (engine.counters.badInputs[code] ?? 0) + 1;
  engine.log(code, `bad input at ${field}: ${message} (the request proceeds without it)`, { field });
  engine.events.emit('bad-input', { code, field, message });
}

function reportFallback(engine: Engine, from: ScoringPath, to: ScoringPath, err: unknown): string {
  const code = breakerReason(err);
  if (BAD_INPUT_CODES.has(code)) {
    const details = (err as { details?: { field?: string } }).details;
    reportBadInput(engine, code, details?.field ?? 'candidates', (err as Error).message);
  } else {
    engine.log(code, `${from} scoring failed, falling back to ${to}: ${(err as Error)?.message ?? String(err)}`);
  }
  engine.counters.fallbacks[code] = (engine.counters.fallbacks[code] ?? 0) + 1;
  engine.events.emit('fallback', { from, to, code });
  return code;
}

/** Listeners of one encoding: item-row cache hits and misses, missing values by feature. */
export interface EncodingReport {
  readonly onCache?: (hits: number, misses: number) => void;
  readonly onMissing?: (counts: Readonly<Record<string, number>>) => void;
}

/** A request to encode: its first `rows` candidates, their ids, its context. */
interface EncodeRequest {
  readonly ids: readonly string[];
  readonly candidates: readonly Candidate[];
  readonly rows: number;
  readonly context: Context;
  /** Called once the cached rows are found, with the batch and its hits: the model pool sends the slots ahead. */
  readonly prefetch?: (batch: FeedBatch, hits: number) => void;
}

/**
 * Encodes the first `rows` candidates of a request into one buffer: item-store features from the encoded-row cache
 * first (found here; copied here, or by the worker while the rest is encoded when the cache is shared), the context
 * once, the candidates' own features in one pass; misses fetched in one store call, encoded and cached; cross store
 * features fetched per request. Store calls go through the guard within `scope`.
 */
export async function encodeRequest(store: GuardedItemStore, plan: FeaturePlan, request: EncodeRequest, scope: StoreScope, report: EncodingReport = {}): Promise<Encoding> {
  const { ids, candidates, rows, context } = request;
  const encoding = plan.newEncoding(rows);
  const missAt = plan.findCachedRows(encoding, ids);
  try {
    request.prefetch?.(encoding.batch, rows - missAt.length);
    plan.encodeContext(encoding, context);
    plan.encodeCandidates(encoding, candidates);
    return await encodeStoreFeatures(store, plan, encoding, request, missAt, scope, report);
  } catch (err) {
    encoding.batch.dropHold(); // never sent: the cached rows it found are free again
    throw err;
  }
}

/** The store's part of `encodeRequest`: the rows `missAt` that missed the cache, fetched, encoded and cached; cross rows. */
async function encodeStoreFeatures(
  store: GuardedItemStore,
  plan: FeaturePlan,
  encoding: Encoding,
  request: EncodeRequest,
  missAt: number[],
  scope: StoreScope,
  report: EncodingReport,
): Promise<Encoding> {
  const { ids, rows, context } = request;
  const crossIds = plan.storeCrossNames.length === 0 ? null : ids.length === rows ? ids : ids.slice(0, rows);
  const [fetched, cross] = await Promise.all([
    missAt.length > 0 ? store.get(missAt.map((i) => ids[i]), plan.storeFeatureNames, context, scope) : null,
    crossIds ? store.get(crossIds, plan.storeCrossNames, context, scope) : null,
  ]);
  if (fetched) plan.encodeStoreRows(encoding, fetched, missAt, ids);
  if (cross) plan.encodeCrossRows(encoding, cross);
  if (plan.storeFeatureNames.length > 0) report.onCache?.(rows - missAt.length, missAt.length);
  const missing = report.onMissing ? plan.missingByFeature(encoding.missing) : null;
  if (missing) report.onMissing?.(missing);
  return encoding;
}

/** Refuses the model path before any work: breaker open, deadline spent, or the worker queue cannot serve in time. */
function admitModelRun(engine: Engine, scope: RequestScope): void {
  if (engine.breaker.opened) throw autofasError('ERR_AUTOFAS_BREAKER_OPEN', 'the model breaker is open');
  const remainingMs = scope.deadline.remaining();
  if (remainingMs <= 0) throw autofasError('ERR_AUTOFAS_TIMEOUT', 'the request deadline passed before the model path');
  const shed = engine.queue.refusal(remainingMs);
  if (shed) throw shed;
}

/**
 * Runs the model in the pool (one run for all rows), with the context encoded once and store features fetched once,
 * all within the request's deadline. Load shedding (ERR_AUTOFAS_OVERLOAD) happens outside the breaker, so a full
 * queue never counts as a model failure.
 */
async function scoreWithModel(engine: Engine, scope: RequestScope, context: Context, candidates: readonly Candidate[], rows: number): Promise<Float32Array> {
  admitModelRun(engine, scope);
  const pool = engine.pool;
  pool.runComing(); // answers already written are taken, and a sleeping worker wakes while this request is encoded
  const done = pool.acquire();
  try {
    const plan = pool.plan;
    const report: EncodingReport = {
      onCache: (hits, misses) => engine.events.emit('cache', { cache: 'item-features', hits, misses }),
      onMissing: (counts) => engine.events.emit('feature-missing', { modelId: plan.modelId, counts }),
    };
    const prefetch = (batch: FeedBatch, hits: number): void => pool.prefetch(batch, hits);
    const { batch } = await encodeRequest(engine.store, plan, { ids: scope.ids, candidates, rows, context, prefetch }, scope.store, report);
    try {
      return await runBatch(engine, scope, pool, batch);
    } finally {
      batch.dropHold(); // unless the pool took it with the batch: the rows found in the cache are held no longer
    }
  } finally {
    done();
  }
}

/** Runs an encoded batch in a queue slot behind the breaker, within the request's deadline. */
async function runBatch(engine: Engine, scope: RequestScope, pool: Engine['pool'], batch: FeedBatch): Promise<Float32Array> {
  const slot: ModelSlot = { release: await engine.queue.acquire(scope.deadline.remaining()), taken: false };
  try {
    // The breaker judges the run by timeoutMs from its start; the request waits only for what its deadline has left.
    const running = engine.breaker.fire(pool, batch, slot);
    scope.duplicateId(); // the main thread's costliest input check, while the worker runs
    const result = await scope.deadline.bound(running, 'ERR_AUTOFAS_TIMEOUT', 'the model run');
    engine.events.emit('scorer-time', { arm: 'autofas', ms: result.runMs, candidates: batch.rows });
    return result.scores;
  } finally {
    if (!slot.taken) slot.release(); // the breaker refused before the run: the slot was never used
  }
}

/** Scores with the vector scorer within its own `timeoutMs`; a store that failed this request is not asked again. */
async function scoreWithVector(engine: Engine, scope: RequestScope, context: Context, candidates: readonly Candidate[], rows: number): Promise<Float32Array> {
  if (!engine.vector) throw autofasError('ERR_AUTOFAS_SCORER', 'no baseline is configured');
  const start = engine.now();
  const deadline = new RequestDeadline(engine.now, engine.config.timeoutMs);
  const store: StoreScope = { remainingMs: () => deadline.remaining(), failed: scope.store.failed };
  const scoring = engine.vector.score(context, candidates, rows, store);
  const { scores, hits, misses } = await deadline.bound(scoring, 'ERR_AUTOFAS_TIMEOUT', 'the vector scorer');
  engine.events.emit('cache', { cache: 'item-embeddings', hits, misses });
  engine.events.emit('scorer-time', { arm: 'baseline', ms: engine.now() - start, candidates: rows });
  return scores;
}

/** Scores with the vector scorer, falling back to matching order. */
async function vectorThenMatching(engine: Engine, scope: RequestScope, context: Context, candidates: readonly Candidate[], rows: number, reason?: string): Promise<ArmResult> {
  const modelId = engine.vector?.card?.modelId ?? null;
  try {
    const scores = await scoreWithVector(engine, scope, context, candidates, rows);
    return { path: 'vector', scores, modelId, ...(reason ? { reason } : {}) };
  } catch (err) {
    return { path: 'matching-order', scores: null, modelId: null, reason: reportFallback(engine, 'vector', 'matching-order', err) };
  }
}

/** Scores one arm with its fallback chain; never throws. */
export async function scoreArm(engine: Engine, arm: Arm, scope: RequestScope, context: Context, candidates: readonly Candidate[], rows: number): Promise<ArmResult> {
  if (arm === 'baseline') return vectorThenMatching(engine, scope, context, candidates, rows);
  const modelId = engine.pool.card.modelId;
  try {
    return { path: 'model', scores: await scoreWithModel(engine, scope, context, candidates, rows), modelId };
  } catch (err) {
    const to: ScoringPath = engine.vector ? 'vector' : 'matching-order';
    const reason = reportFallback(engine, 'model', to, err);
    if (!engine.vector) return { path: 'matching-order', scores: null, modelId: null, reason };
    return vectorThenMatching(engine, scope, context, candidates, rows, reason);
  }
}

/** Scores an arm in the shadow: no fallback chain, no events beyond timing; null when it cannot score. */
export async function scoreShadow(engine: Engine, arm: Arm, scope: RequestScope, context: Context, candidates: readonly Candidate[], rows: number): Promise<Float32Array | null> {
  try {
    return arm === 'baseline' ? await scoreWithVector(engine, scope, context, candidates, rows) : await scoreWithModel(engine, scope, context, candidates, rows);
  } catch (err) {
    if (!hasCode(err, 'ERR_AUTOFAS_SCORER')) engine.log('ERR_AUTOFAS_SCORER', `shadow arm ${arm} could not score: ${(err as Error)?.message}`);
    return null;
  }
}
