// Teacher-log collection: after the ranking hop, one teacher-log line per sampled request, plus online Recall@K per arm.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { optionError } from '../schema/errors.js';
import { intOption } from '../schema/option-values.js';
import { checkKnownOptions, given, isOptionsObject } from './known-options.js';
import type { FeatureSpec } from '../schema/feature-spec.js';
import type { PreRankLogInfo, RawFeatureValue, TeacherCandidate, TeacherLogRecord } from '../schema/teacher-log.js';
import { RotatingLogSink } from './log-sink.js';
import type { LogSinkOptions } from './log-sink.js';
import type { HostNext, HostRequest, HostResponse } from './http-types.js';
import type { Arm, Candidate, PreRankRecord, SearchState } from './types.js';

export interface TeacherLoggerOptions {
  /** Where lines go: a sink, or options for a new RotatingLogSink (closed with the logger). @default {} */
  readonly sink?: RotatingLogSink | LogSinkOptions;
  /** The ranking hop's score of a candidate (`index` = its position), logged as `teacher_score`. @default (c) => c.rankScore */
  readonly teacherScore?: CandidateAccessor<number | undefined>;
  /** A candidate's features to log, e.g. with store features the ranking hop fetched. @default (c) => c.features */
  readonly features?: CandidateAccessor<Readonly<Record<string, RawFeatureValue>> | undefined>;
  /** A click (or other) label when already known; usually joined later by `request_id`. @default none */
  readonly label?: CandidateAccessor<number | undefined>;
  /** The request id written as `request_id` (the key labels are joined on). @default X-Request-Id, else generated */
  requestId?(req: HostRequest, res: HostResponse): string | undefined;
  /** Context and candidates after the ranking hop. @default res.locals.search */
  getState?(req: HostRequest, res: HostResponse): SearchState | undefined;
  /** Whether to log this request. @default res.locals.preRank?.teacherLogged === true (the pre-ranker samples by flag) */
  isSampled?(req: HostRequest, res: HostResponse): boolean;
  /** Log when the middleware runs ('now') or when the response has finished ('finish', mount it anywhere). @default 'now' */
  readonly when?: 'now' | 'finish';
  /** When set, only the features this spec declares are logged (context side for the context, item/cross for candidates). @default log all */
  readonly spec?: FeatureSpec;
  /** Online Recall@K counts how many of the teacher's top `recallTop` each arm keeps in its top K. @default 10 */
  readonly recallTop?: number;
}

/** Reads something of the candidate at `index` of the request's candidates (after the ranking hop). */
export type CandidateAccessor<T> = (candidate: Candidate, req: HostRequest, res: HostResponse, index: number) => T;

export type SkipReason = 'no-state' | 'teacher-score' | 'sink' | 'error';

export interface TeacherLoggerEventMap {
  logged: [info: { requestId: string; candidates: number }];
  skipped: [info: { reason: SkipReason }];
  /** Online Recall@K of one arm on a teacher-logged request (served arm, and the shadow arm in shadow mode). */
  recall: [info: { arm: Arm; k: number; top: number; recall: number; shadow: boolean }];
}

/** The middleware with its control surface. */
export interface TeacherLogger {
  (req: HostRequest, res: HostResponse, next: HostNext): void;
  readonly events: EventEmitter<TeacherLoggerEventMap>;
  readonly sink: RotatingLogSink;
  flush(): Promise<void>;
  /** Flushes and closes the sink if the logger created it. */
  close(): Promise<void>;
}

interface LoggerConfig {
  readonly sink: RotatingLogSink;
  readonly ownsSink: boolean;
  readonly teacherScore: CandidateAccessor<number | undefined>;
  readonly features: CandidateAccessor<Readonly<Record<string, RawFeatureValue>> | undefined>;
  readonly label: CandidateAccessor<number | undefined> | null;
  readonly requestId: (req: HostRequest, res: HostResponse) => string;
  readonly getState: (req: HostRequest, res: HostResponse) => SearchState | undefined;
  readonly isSampled: (req: HostRequest, res: HostResponse) => boolean;
  readonly when: 'now' | 'finish';
  readonly recallTop: number;
  readonly contextNames: ReadonlySet<string> | null;
  readonly itemNames: ReadonlySet<string> | null;
}

function fn<T>(name: string, value: T | undefined, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw optionError(name, 'must be a function', value);
  return value;
}

function parseOptions(options: TeacherLoggerOptions): LoggerConfig {
  checkKnownOptions(options, ['sink', 'teacherScore', 'features', 'label', 'requestId', 'getState', 'isSampled', 'when', 'spec', 'recallTop'], 'teacherLogger');
  if (options.sink !== undefined && !(options.sink instanceof RotatingLogSink) && !isOptionsObject(options.sink)) {
    throw optionError('sink', 'must be a RotatingLogSink or its options', options.sink);
  }
  if (options.requestId !== undefined) fn('requestId', options.requestId, () => undefined);
  if (options.spec !== undefined && !(isOptionsObject(options.spec) && Array.isArray(options.spec.features))) {
    throw optionError('spec', 'must be a FeatureSpec ({ version, features })', options.spec);
  }
  const ownsSink = !(options.sink instanceof RotatingLogSink);
  const sink = options.sink instanceof RotatingLogSink ? options.sink : new RotatingLogSink(given(options.sink, {}));
  const when = given(options.when, 'now');
  if (when !== 'now' && when !== 'finish') throw optionError('when', "must be 'now' or 'finish'", when);
  const recallTop = intOption('recallTop', options.recallTop, 10);
  const idPrefix = randomBytes(4).toString('hex');
  let counter = 0;
  return {
    sink,
    ownsSink,
    teacherScore: fn('teacherScore', options.teacherScore, (c: Candidate) => c.rankScore as number | undefined),
    features: fn('features', options.features, (c: Candidate) => c.features),
    label: options.label === undefined ? null : fn('label', options.label, () => undefined),
    requestId: (req, res) =>
      (options.requestId ? options.requestId(req, res) : req.get('x-request-id')) ?? `${idPrefix}-${(counter++).toString(36)}`,
    getState: fn('getState', options.getState, (_req: HostRequest, res: HostResponse) => res.locals.search as SearchState | undefined),
    isSampled: fn('isSampled', options.isSampled, (_req: HostRequest, res: HostResponse) => (res.locals.preRank as PreRankRecord | undefined)?.teacherLogged === true),
    when,
    recallTop,
    contextNames: options.spec ? new Set(options.spec.features.filter((f) => f.side === 'context').map((f) => f.name)) : null,
    itemNames: options.spec ? new Set(options.spec.features.filter((f) => f.side !== 'context').map((f) => f.name)) : null,
  };
}

/** The logged copy of feature values: only `names` (when given), typed arrays as plain arrays (JSON would make them objects). */
function pick(values: Readonly<Record<string, RawFeatureValue>>, names: ReadonlySet<string> | null): Readonly<Record<string, RawFeatureValue>> {
  const out: Record<string, RawFeatureValue> = {};
  for (const key of Object.keys(values)) {
    if (names && !names.has(key)) continue;
    const value = values[key];
    out[key] = ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value;
  }
  return out;
}

/** The arm's scores on a candidate, as logged (absent when the arm did not score it). */
function scoreFields(c: Candidate, preRank: PreRankRecord | undefined): { pre_rank_score?: number; shadow_score?: number } {
  if (!preRank || preRank.arm === 'off') return {};
  const served = typeof c.preRankScore === 'number' && Number.isFinite(c.preRankScore) ? { pre_rank_score: c.preRankScore } : {};
  return preRank.shadowArm && typeof c.shadowScore === 'number' && Number.isFinite(c.shadowScore) ? { ...served, shadow_score: c.shadowScore } : served;
}

/** The request's arm, path and k, for `autofas ab-report`. */
function preRankInfo(preRank: PreRankRecord | undefined): { pre_rank?: PreRankLogInfo } {
  if (!preRank || preRank.arm === 'off') return {};
  const info: PreRankLogInfo = { arm: preRank.arm, path: preRank.path, k: preRank.k, ...(preRank.unitId ? { unit_id: preRank.unitId } : {}), ...(preRank.shadowArm ? { shadow_arm: preRank.shadowArm } : {}) };
  return { pre_rank: info };
}

/** Builds the teacher-log record of a request, or the reason it cannot be logged. */
function buildRecord(config: LoggerConfig, req: HostRequest, res: HostResponse): TeacherLogRecord | SkipReason {
  const state = config.getState(req, res);
  if (!state || !Array.isArray(state.candidates)) return 'no-state';
  const preRank = res.locals.preRank as PreRankRecord | undefined;
  const candidates: TeacherCandidate[] = [];
  for (let i = 0; i < state.candidates.length; i++) {
    const c = state.candidates[i];
    const score = config.teacherScore(c, req, res, i);
    if (typeof score !== 'number' || !Number.isFinite(score)) return 'teacher-score';
    const label = config.label?.(c, req, res, i);
    const features = pick(config.features(c, req, res, i) ?? {}, config.itemNames);
    candidates.push({ item_id: c.item_id, features, teacher_score: score, ...(label === undefined ? {} : { label }), ...scoreFields(c, preRank) });
  }
  return { request_id: config.requestId(req, res), context: pick(state.context ?? {}, config.contextNames), candidates, ...preRankInfo(preRank) };
}

/** Indices of the `n` largest values (ties by position). */
function topIndices(values: readonly number[], n: number): Set<number> {
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a] || a - b);
  return new Set(order.slice(0, n));
}

/** Recall@K: share of the teacher's top `top` that an arm's top `k` keeps; null when not measurable. */
export function recallAtK(armScores: readonly number[], teacherScores: readonly number[], k: number, top: number): number | null {
  const n = teacherScores.length;
  if (armScores.length !== n || n <= k || armScores.some((s) => !Number.isFinite(s))) return null;
  const want = Math.min(top, n);
  const kept = topIndices(armScores, k);
  let hit = 0;
  for (const i of topIndices(teacherScores, want)) if (kept.has(i)) hit += 1;
  return hit / want;
}

/** The scores each measured arm gave the candidates, read at log time (served arm, then the shadow arm). */
function armScores(record: PreRankRecord | undefined, state: SearchState): { arm: Arm; shadow: boolean; scores: number[] }[] {
  if (!record || record.arm === 'off') return [];
  const arms: [Arm, keyof Candidate, boolean][] = [[record.arm, 'preRankScore', false]];
  if (record.shadowArm) arms.push([record.shadowArm, 'shadowScore', true]);
  return arms.map(([arm, field, shadow]) => ({
    arm,
    shadow,
    scores: state.candidates.map((c) => (typeof c[field] === 'number' ? (c[field] as number) : NaN)),
  }));
}

/** What is kept of a sampled request until its line is written (off the request's own path). */
interface Pending {
  readonly record: TeacherLogRecord;
  readonly k: number;
  readonly arms: { arm: Arm; shadow: boolean; scores: number[] }[];
}

function writeLine(config: LoggerConfig, events: EventEmitter<TeacherLoggerEventMap>, pending: Pending): void {
  const { record } = pending;
  if (!config.sink.write(JSON.stringify(record))) return void events.emit('skipped', { reason: 'sink' });
  events.emit('logged', { requestId: record.request_id, candidates: record.candidates.length });
  const teacher = record.candidates.map((c) => c.teacher_score);
  for (const { arm, shadow, scores } of pending.arms) {
    const recall = recallAtK(scores, teacher, pending.k, config.recallTop);
    if (recall !== null) events.emit('recall', { arm, k: pending.k, top: config.recallTop, recall, shadow });
  }
}

/** `teacherLogger(options)`: mount after the ranking hop; it always calls `next()` and never fails the request. */
export function teacherLogger(options: TeacherLoggerOptions = {}): TeacherLogger {
  const config = parseOptions(options);
  const events = new EventEmitter<TeacherLoggerEventMap>();
  let deferred = 0;
  let drained: (() => void) | null = null;
  // The snapshot (accessors, scores) is taken now; serialising and writing wait for the next turn of the event loop.
  const log = (req: HostRequest, res: HostResponse): void => {
    try {
      if (!config.isSampled(req, res)) return;
      const record = buildRecord(config, req, res);
      if (typeof record === 'string') return void events.emit('skipped', { reason: record });
      const preRank = res.locals.preRank as PreRankRecord | undefined;
      const pending: Pending = { record, k: preRank?.k ?? 0, arms: armScores(preRank, config.getState(req, res) as SearchState) };
      deferred++;
      setImmediate(() => {
        try {
          writeLine(config, events, pending);
        } catch {
          events.emit('skipped', { reason: 'error' });
        }
        if (--deferred === 0) drained?.();
      });
    } catch {
      events.emit('skipped', { reason: 'error' }); // a throwing accessor must not fail the search
    }
  };
  const settle = (): Promise<void> => (deferred === 0 ? Promise.resolve() : new Promise((resolve) => (drained = resolve)));
  const middleware = function logTeacherScores(req: HostRequest, res: HostResponse, next: HostNext): void {
    if (config.when === 'finish') res.once('finish', () => log(req, res));
    else log(req, res);
    next();
  };
  return Object.assign(middleware, {
    events,
    sink: config.sink,
    flush: () => settle().then(() => config.sink.flush()),
    close: () => settle().then(() => (config.ownsSink ? config.sink.close() : config.sink.flush())),
  });
}
