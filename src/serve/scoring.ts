// The scoring paths of one request: model (pool, behind the breaker) -> vector fallback -> matching order, each counted.
import { autofasError, hasCode } from '../schema/errors.js';
import type { RawFeatureValue } from '../schema/teacher-log.js';
import { breakerReason } from './breaker.js';
import { withDeadline } from './deadline.js';
import type { Engine } from './engine.js';
import { encodeContext, encodeItems } from './feature-plan.js';
import type { FeaturePlan, StoreRows } from './feature-plan.js';
import type { CachedItemStore } from './item-store.js';
import type { Arm, Candidate, ScoringPath } from './types.js';

type Context = Readonly<Record<string, RawFeatureValue>>;

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

/**
 * Fetches the plan's store features once for the request: item features through the cache (`onCache` hears its hits
 * and misses), cross features directly.
 */
export async function fetchStoreRows(
  store: CachedItemStore,
  plan: FeaturePlan,
  candidates: readonly Candidate[],
  rows: number,
  context: Context,
  timeoutMs?: number,
  onCache?: (hits: number, misses: number) => void,
): Promise<StoreRows | null> {
  if (plan.stored.length === 0 && plan.storedCross.length === 0) return null;
  const ids = candidates.slice(0, rows).map((c) => c.item_id);
  const both = Promise.all([
    plan.stored.length > 0 ? store.get(ids, plan.storeFeatureNames, context) : null,
    plan.storedCross.length > 0 ? store.getUncached(ids, plan.storeCrossNames, context) : null,
  ]);
  const [item, cross] = await (timeoutMs === undefined ? both : withDeadline(both, timeoutMs, 'ERR_AUTOFAS_STORE', 'the item store'));
  if (item) onCache?.(item.hits, item.misses);
  return { item: item?.rows ?? null, cross };
}

/** Runs the model in the pool (one run for all rows), with the context encoded once and store features fetched once. */
async function scoreWithModel(engine: Engine, context: Context, candidates: readonly Candidate[], rows: number): Promise<Float32Array> {
  const pool = engine.pool;
  const done = pool.acquire();
  const startedMs = engine.now();
  try {
    const plan = pool.plan;
    const contextFeeds = encodeContext(plan, context);
    const onCache = (hits: number, misses: number): boolean => engine.events.emit('cache', { cache: 'item-features', hits, misses });
    const store = await fetchStoreRows(engine.store, plan, candidates, rows, context, engine.config.timeoutMs, onCache);
    const feeds = [...contextFeeds, ...encodeItems(plan, candidates, rows, store)];
    // One deadline for the whole model path: what the store and the encoding took is not given to the run again.
    const remainingMs = engine.config.timeoutMs - (engine.now() - startedMs);
    const result = await engine.breaker.fire(pool, feeds, rows, remainingMs);
    engine.events.emit('scorer-time', { arm: 'autofas', ms: result.runMs, candidates: rows });
    return result.scores;
  } finally {
    done();
  }
}

async function scoreWithVector(engine: Engine, context: Context, candidates: readonly Candidate[], rows: number): Promise<Float32Array> {
  if (!engine.vector) throw autofasError('ERR_AUTOFAS_SCORER', 'no baseline is configured');
  const start = engine.now();
  const scoring = engine.vector.score(context, candidates, rows);
  const { scores, hits, misses } = await withDeadline(scoring, engine.config.timeoutMs, 'ERR_AUTOFAS_TIMEOUT', 'the vector scorer');
  engine.events.emit('cache', { cache: 'item-embeddings', hits, misses });
  engine.events.emit('scorer-time', { arm: 'baseline', ms: engine.now() - start, candidates: rows });
  return scores;
}

/** Scores with the vector scorer, falling back to matching order. */
async function vectorThenMatching(engine: Engine, context: Context, candidates: readonly Candidate[], rows: number, reason?: string): Promise<ArmResult> {
  const modelId = engine.vector?.card?.modelId ?? null;
  try {
    const scores = await scoreWithVector(engine, context, candidates, rows);
    return { path: 'vector', scores, modelId, ...(reason ? { reason } : {}) };
  } catch (err) {
    return { path: 'matching-order', scores: null, modelId: null, reason: reportFallback(engine, 'vector', 'matching-order', err) };
  }
}

/** Scores one arm with its fallback chain; never throws. */
export async function scoreArm(engine: Engine, arm: Arm, context: Context, candidates: readonly Candidate[], rows: number): Promise<ArmResult> {
  if (arm === 'baseline') return vectorThenMatching(engine, context, candidates, rows);
  const modelId = engine.pool.card.modelId;
  try {
    return { path: 'model', scores: await scoreWithModel(engine, context, candidates, rows), modelId };
  } catch (err) {
    const to: ScoringPath = engine.vector ? 'vector' : 'matching-order';
    const reason = reportFallback(engine, 'model', to, err);
    if (!engine.vector) return { path: 'matching-order', scores: null, modelId: null, reason };
    return vectorThenMatching(engine, context, candidates, rows, reason);
  }
}

/** Scores an arm in the shadow: no fallback chain, no events beyond timing; null when it cannot score. */
export async function scoreShadow(engine: Engine, arm: Arm, context: Context, candidates: readonly Candidate[], rows: number): Promise<Float32Array | null> {
  try {
    return arm === 'baseline' ? await scoreWithVector(engine, context, candidates, rows) : await scoreWithModel(engine, context, candidates, rows);
  } catch (err) {
    if (!hasCode(err, 'ERR_AUTOFAS_SCORER')) engine.log('ERR_AUTOFAS_SCORER', `shadow arm ${arm} could not score: ${(err as Error)?.message}`);
    return null;
  }
}
