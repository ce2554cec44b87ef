// One request through the pre-ranker: read and check the input, resolve flags, score the arms, keep the top k, record.
import type { HostRequest as Request, HostResponse as Response } from './http-types.js';
import { describeValue } from '../schema/errors.js';
import type { RawFeatureValue } from '../schema/teacher-log.js';
import { RequestDeadline } from './deadline.js';
import type { Engine } from './engine.js';
import { orderByScore } from '../util/order-by-score.js';
import { keepMatchingOrder, keepTop, overlapOfOrders } from './rank.js';
import { reportBadInput, scoreArm, scoreShadow } from './scoring.js';
import type { ArmResult, RequestScope } from './scoring.js';
import { clampK, STATIC_FLAG_DEFAULTS } from './static-flags.js';
import type { Arm, Candidate, FlagValues, PreRankRecord, ScoringPath } from './types.js';

type Context = Readonly<Record<string, RawFeatureValue>>;

/** What a request resolved to before scoring. */
interface Plan {
  readonly arm: Arm;
  readonly unitId: string;
  readonly k: number;
  readonly teacherLogged: boolean;
  readonly flags: FlagValues;
}

/** Input checks that do not need the model: the item ids (built once for the whole request), or the failing field. */
function checkCandidates(candidates: readonly unknown[]): { ids: string[] } | { field: string; message: string } {
  const ids: string[] = new Array(candidates.length);
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i] as Candidate | null;
    if (typeof c !== 'object' || c === null) return { field: `candidates[${i}]`, message: 'is not an object' };
    if (typeof c.item_id !== 'string' || c.item_id === '') return { field: `candidates[${i}].item_id`, message: 'must be a non-empty string' };
    if (c.features !== undefined && (typeof c.features !== 'object' || c.features === null)) {
      return { field: `candidates[${i}].features`, message: 'must be an object' };
    }
    ids[i] = c.item_id;
  }
  return { ids };
}

/**
 * The first repeated id, or null. Hashing every id is the costliest input check, so the model path runs it while the
 * model runs (see `RequestScope.duplicateId`); a request with a repeated id then keeps matching order all the same.
 */
function firstDuplicate(ids: readonly string[]): { field: string; message: string } | null {
  if (new Set(ids).size === ids.length) return null;
  const seen = new Set<string>();
  for (let i = 0; i < ids.length; i++) {
    if (seen.has(ids[i])) return { field: `candidates[${i}].item_id`, message: `duplicate id "${ids[i]}"` };
    seen.add(ids[i]);
  }
  return null;
}

/** The duplicate-id check of a request, run once: by the model path while its run is out, else after scoring. */
function duplicateCheck(ids: readonly string[]): () => { field: string; message: string } | null {
  let result: { field: string; message: string } | null | undefined;
  return () => (result === undefined ? (result = firstDuplicate(ids)) : result);
}

function isContext(value: unknown): value is Context {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The request's unit id and its flags: at once when the evaluator answers at once, else within the deadline. */
function resolveFlags(engine: Engine, req: Request, res: Response, context: Context, deadline: RequestDeadline): { unitId: string; flags: FlagValues | Promise<FlagValues> } {
  const given = engine.config.getUnitId(req, res);
  const userId = context.user_id;
  const unitId = given ?? (typeof userId === 'string' || typeof userId === 'number' ? String(userId) : `req-${++engine.counters.unitSeq}`);
  const failed = (err: unknown): FlagValues => {
    engine.log('ERR_AUTOFAS_FLAGS', `flag evaluation failed, using defaults: ${(err as Error)?.message}`);
    return STATIC_FLAG_DEFAULTS;
  };
  try {
    const answer = engine.flags.evaluate(unitId, context);
    if (typeof (answer as Partial<Promise<FlagValues>>)?.then !== 'function') return { unitId, flags: answer as FlagValues };
    return { unitId, flags: deadline.bound(Promise.resolve(answer), 'ERR_AUTOFAS_TIMEOUT', 'the flag evaluator').catch(failed) };
  } catch (err) {
    return { unitId, flags: failed(err) };
  }
}

function planOf(engine: Engine, unitId: string, flags: FlagValues): Plan {
  const arm: Arm = flags.enabled ? flags.arm : 'off';
  const teacherLogged = flags.teacherLogRate > 0 && engine.random() < flags.teacherLogRate;
  return { arm, unitId, k: flagK(engine, flags.k), teacherLogged, flags };
}

/** The request's k: the flags' `k` under the one k rule, else the configured `k` (a bad flag value is counted). */
function flagK(engine: Engine, value: unknown): number {
  const { k, maxCandidates } = engine.config;
  if (value === undefined) return k;
  const fromFlags = clampK(value, maxCandidates);
  if (fromFlags !== undefined) return fromFlags;
  reportBadInput(engine, 'ERR_AUTOFAS_FLAGS', 'autofas.k', `expected an integer >= 1, got ${describeValue(value)}; using k = ${k}`);
  return k;
}

/** Runs the pre-ranker for one request and returns its record; writes the kept candidates back. Never throws. */
export async function preRankRequest(engine: Engine, req: Request, res: Response): Promise<PreRankRecord> {
  const start = engine.now();
  const { config } = engine;
  const deadline = new RequestDeadline(engine.now, config.timeoutMs);
  const candidates = config.getCandidates(req, res);
  const rawContext = config.getContext(req, res);
  const base = { modelId: null, k: config.k, candidatesIn: Array.isArray(candidates) ? candidates.length : 0, latencyMs: 0 };
  const done = (record: Omit<PreRankRecord, 'latencyMs'>): PreRankRecord => ({ ...record, latencyMs: engine.now() - start });
  if (engine.closed) return done({ ...base, arm: 'off', path: 'passthrough', candidatesOut: base.candidatesIn, fallbackReason: 'ERR_AUTOFAS_CLOSED' });
  const context: Context = isContext(rawContext) ? rawContext : {};
  // Flags first, so every request, bad input included, is counted under the arm it was assigned.
  const resolved = resolveFlags(engine, req, res, context, deadline);
  const plan = planOf(engine, resolved.unitId, resolved.flags instanceof Promise ? await resolved.flags : resolved.flags);
  const common = { ...base, arm: plan.arm, k: plan.k, unitId: plan.unitId };
  if (!Array.isArray(candidates)) {
    reportBadInput(engine, 'ERR_AUTOFAS_BAD_CANDIDATES', 'candidates', 'is not an array; passed through');
    return done({ ...common, path: 'passthrough', candidatesOut: 0, fallbackReason: 'ERR_AUTOFAS_BAD_CANDIDATES' });
  }
  if (plan.arm === 'off' || candidates.length === 0) return done({ ...common, path: 'passthrough', candidatesOut: candidates.length });
  const { refusal, ids } = checkRequest(engine, candidates, rawContext);
  if (refusal === 'ERR_AUTOFAS_TOO_MANY_CANDIDATES') {
    return done({ ...common, path: 'passthrough', candidatesOut: candidates.length, fallbackReason: refusal });
  }
  const keep = plan.teacherLogged ? candidates.length : plan.k;
  if (refusal) {
    const kept = keepMatchingOrder(candidates as Candidate[], keep);
    config.setCandidates(req, res, kept);
    return done({ ...common, path: 'matching-order', candidatesOut: kept.length, fallbackReason: refusal, ...teacherFlag(plan) });
  }
  const scope: RequestScope = { deadline, store: { remainingMs: () => deadline.remaining(), failed: false }, ids, duplicateId: duplicateCheck(ids) };
  const record = await scoreAndKeep(engine, req, res, plan, scope, context, candidates as Candidate[], keep);
  return done({ ...common, ...record, ...teacherFlag(plan) });
}

function teacherFlag(plan: Plan): { teacherLogged?: true } {
  return plan.teacherLogged ? { teacherLogged: true } : {};
}

/** Input problems: a code that forces matching order (or, for overflow with `refuse`, pass-through), else null; and the ids. */
function checkRequest(engine: Engine, candidates: readonly unknown[], rawContext: unknown): { refusal: string | null; ids: readonly string[] } {
  const checked = checkCandidates(candidates);
  if (!('ids' in checked)) {
    reportBadInput(engine, 'ERR_AUTOFAS_BAD_CANDIDATES', checked.field, checked.message);
    return { refusal: 'ERR_AUTOFAS_BAD_CANDIDATES', ids: [] };
  }
  const { ids } = checked;
  if (!isContext(rawContext)) {
    reportBadInput(engine, 'ERR_AUTOFAS_BAD_CONTEXT', 'context', 'is missing or not an object');
    return { refusal: 'ERR_AUTOFAS_BAD_CONTEXT', ids };
  }
  if (candidates.length > engine.config.maxCandidates) {
    const refuse = engine.config.overflow === 'refuse';
    const what = refuse ? 'the request is passed through' : 'the excess stays unscored at the tail';
    reportBadInput(engine, 'ERR_AUTOFAS_TOO_MANY_CANDIDATES', 'candidates', `${candidates.length} > maxCandidates ${engine.config.maxCandidates}; ${what}`);
    if (refuse) return { refusal: 'ERR_AUTOFAS_TOO_MANY_CANDIDATES', ids };
  }
  return { refusal: null, ids };
}

async function scoreAndKeep(
  engine: Engine,
  req: Request,
  res: Response,
  plan: Plan,
  scope: RequestScope,
  context: Context,
  candidates: Candidate[],
  keep: number,
): Promise<{ path: ScoringPath; modelId: string | null; candidatesOut: number; fallbackReason?: string; shadowOverlap?: number; shadowArm?: Arm }> {
  const rows = Math.min(candidates.length, engine.config.maxCandidates);
  const shadowArm: Arm | null = plan.flags.shadow ? (plan.arm === 'autofas' ? 'baseline' : 'autofas') : null;
  const serving = scoreArm(engine, plan.arm, scope, context, candidates, rows);
  const [served, shadow] = shadowArm ? await Promise.all([serving, scoreShadow(engine, shadowArm, scope, context, candidates, rows)]) : [await serving, null];
  const duplicate = scope.duplicateId();
  if (duplicate) {
    reportBadInput(engine, 'ERR_AUTOFAS_BAD_CANDIDATES', duplicate.field, duplicate.message);
    const kept = keepMatchingOrder(candidates, keep);
    engine.config.setCandidates(req, res, kept);
    return { path: 'matching-order', modelId: null, candidatesOut: kept.length, fallbackReason: 'ERR_AUTOFAS_BAD_CANDIDATES' };
  }
  const order = served.scores ? orderByScore(served.scores, keep) : null;
  const extra = shadowExtras(plan, candidates, served, order, shadow, shadowArm);
  const kept = served.scores && order ? keepTop(candidates, served.scores, keep, order) : keepMatchingOrder(candidates, keep);
  engine.config.setCandidates(req, res, kept);
  const reason = served.reason ? { fallbackReason: served.reason } : {};
  return { path: served.path, modelId: served.modelId, candidatesOut: kept.length, ...reason, ...extra };
}

/** Shadow mode: Overlap@K between the arms; on teacher-logged requests the shadow score goes on every candidate. */
function shadowExtras(
  plan: Plan,
  candidates: Candidate[],
  served: ArmResult,
  order: Uint32Array | null,
  shadow: Float32Array | null,
  shadowArm: Arm | null,
): { shadowOverlap?: number; shadowArm?: Arm } {
  if (!shadowArm) return {};
  if (!shadow) return { shadowArm };
  if (plan.teacherLogged) for (let i = 0; i < shadow.length; i++) candidates[i].shadowScore = shadow[i];
  const servedOrder = order ?? Uint32Array.from({ length: shadow.length }, (_, i) => i);
  return { shadowArm, shadowOverlap: overlapOfOrders(servedOrder, orderByScore(shadow, plan.k), plan.k) };
}
