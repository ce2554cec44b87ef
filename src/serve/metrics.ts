// Prometheus instruments of the plugin, fed only by events of the pre-ranker and the teacher logger (no global registry).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { optionError } from '../schema/errors.js';
import { checkKnownOptions, given } from './known-options.js';
import { Subscriptions } from './subscriptions.js';
import type { Subscribable } from './subscriptions.js';
import type { TeacherLogger } from './teacher-logger.js';
import type { PreRanker, PreRankEventMap } from './types.js';

export interface MetricsOptions {
  /** Registry the instruments register in. @default a new Registry (never prom-client's global one) */
  readonly registry?: Registry;
  /** Prefix of every metric name. @default 'autofas_' */
  readonly prefix?: string;
  /** Buckets of the latency histograms, in seconds. @default [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1] */
  readonly latencyBuckets?: readonly number[];
  /** A teacher logger whose lines, drops and online Recall@K are exported too. @default none */
  readonly teacherLogger?: Pick<TeacherLogger, 'events' | 'sink'>;
}

/** The instruments and the way to detach them. */
export interface PreRankMetrics {
  readonly registry: Registry;
  /** Subscribes to a teacher logger (lines, drops, online Recall@K). */
  attachTeacherLogger(logger: Pick<TeacherLogger, 'events' | 'sink'>): void;
  /** Removes every listener this module added. */
  close(): void;
}

/**
 * True for a prom-client Registry, checked by shape: the host's prom-client may be another copy (or major version) than
 * the one this package resolves, so `instanceof` would refuse a real registry.
 */
export function isRegistry(value: unknown): value is Registry {
  const r = value as Partial<Record<keyof Registry, unknown>> | null;
  return typeof r === 'object' && r !== null && ['registerMetric', 'getSingleMetric', 'metrics'].every((m) => typeof r[m as keyof Registry] === 'function') && typeof r.contentType === 'string';
}

/** Breaker states as gauge values. */
export const BREAKER_STATE_VALUE = { closed: 0, halfOpen: 1, open: 2 } as const;

const RATIO_BUCKETS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1];

type Source = Pick<PreRanker, 'events'> & Partial<Pick<PreRanker, 'stats'>>;

function makeInstruments(registry: Registry, p: string, latencyBuckets: number[]) {
  const registers = [registry];
  return {
    requests: new Counter({ name: `${p}requests_total`, help: 'Requests seen by the pre-ranker, by arm and scoring path.', labelNames: ['arm', 'path'], registers }),
    latency: new Histogram({ name: `${p}request_duration_seconds`, help: 'Time the pre-ranker spent on a request, by arm and scoring path.', labelNames: ['arm', 'path'], buckets: latencyBuckets, registers }),
    scorer: new Histogram({ name: `${p}scorer_duration_seconds`, help: 'Time of one scoring run (all candidates of a request), by arm.', labelNames: ['arm'], buckets: latencyBuckets, registers }),
    candidatesIn: new Counter({ name: `${p}candidates_in_total`, help: 'Candidates handed to the pre-ranker, by arm.', labelNames: ['arm'], registers }),
    candidatesOut: new Counter({ name: `${p}candidates_out_total`, help: 'Candidates kept for the ranking hop, by arm.', labelNames: ['arm'], registers }),
    requestFallbacks: new Counter({ name: `${p}request_fallbacks_total`, help: 'Requests not served by their arm\'s first path, by arm, the path that served them and the reason (ERR_AUTOFAS_OVERLOAD = shed under load).', labelNames: ['arm', 'path', 'reason'], registers }),
    fallbacks: new Counter({ name: `${p}fallbacks_total`, help: 'Fallbacks from one scoring path to another, by error code.', labelNames: ['from', 'to', 'reason'], registers }),
    badInputs: new Counter({ name: `${p}bad_inputs_total`, help: 'Requests with bad input, by error code.', labelNames: ['code'], registers }),
    breaker: new Gauge({ name: `${p}breaker_state`, help: 'Model breaker state: 0 closed, 1 half-open, 2 open.', registers }),
    storeBreaker: new Gauge({ name: `${p}store_breaker_state`, help: 'Item-store breaker state: 0 closed, 1 half-open, 2 open.', registers }),
    featureMissing: new Counter({ name: `${p}feature_missing_total`, help: 'Feature values missing at encoding (the default was used), by feature; store features count when fetched, not on cache hits.', labelNames: ['feature'], registers }),
    cacheHits: new Counter({ name: `${p}cache_hits_total`, help: 'Cache hits, by cache.', labelNames: ['cache'], registers }),
    cacheMisses: new Counter({ name: `${p}cache_misses_total`, help: 'Cache misses, by cache.', labelNames: ['cache'], registers }),
    reloads: new Counter({ name: `${p}reloads_total`, help: 'Model reloads, by result (ok or refused) and error code.', labelNames: ['result', 'code'], registers }),
    overlap: new Histogram({ name: `${p}shadow_overlap`, help: 'Shadow mode: Overlap@K between the served and the shadow arm.', labelNames: ['arm', 'shadow_arm'], buckets: RATIO_BUCKETS, registers }),
    recall: new Histogram({ name: `${p}online_recall`, help: "Teacher-logged requests: Recall@K of an arm against the ranking hop's top scores.", labelNames: ['arm', 'role'], buckets: RATIO_BUCKETS, registers }),
    logLines: new Counter({ name: `${p}teacher_log_lines_total`, help: 'Teacher-log lines written to disk.', registers }),
    logDropped: new Counter({ name: `${p}teacher_log_dropped_total`, help: 'Teacher-log lines dropped, by reason (queue-full, closed, write-error).', labelNames: ['reason'], registers }),
    logSkipped: new Counter({ name: `${p}teacher_log_skipped_total`, help: 'Sampled requests not logged, by reason.', labelNames: ['reason'], registers }),
    logFiles: new Counter({ name: `${p}teacher_log_files_total`, help: 'Teacher-log files completed (rotated or closed).', registers }),
  };
}

type Instruments = ReturnType<typeof makeInstruments>;

function preRankHandlers(m: Instruments): { [E in keyof PreRankEventMap]: (...args: PreRankEventMap[E]) => void } {
  return {
    request: (r) => {
      m.requests.inc({ arm: r.arm, path: r.path });
      m.latency.observe({ arm: r.arm, path: r.path }, r.latencyMs / 1000);
      m.candidatesIn.inc({ arm: r.arm }, r.candidatesIn);
      m.candidatesOut.inc({ arm: r.arm }, r.candidatesOut);
      if (r.fallbackReason) m.requestFallbacks.inc({ arm: r.arm, path: r.path, reason: r.fallbackReason });
      if (r.shadowOverlap !== undefined && r.shadowArm) m.overlap.observe({ arm: r.arm, shadow_arm: r.shadowArm }, r.shadowOverlap);
    },
    fallback: (f) => m.fallbacks.inc({ from: f.from, to: f.to, reason: f.code }),
    'bad-input': (b) => m.badInputs.inc({ code: b.code }),
    breaker: (state) => m.breaker.set(BREAKER_STATE_VALUE[state]),
    'store-breaker': (state) => m.storeBreaker.set(BREAKER_STATE_VALUE[state]),
    cache: (c) => {
      if (c.hits) m.cacheHits.inc({ cache: c.cache }, c.hits);
      if (c.misses) m.cacheMisses.inc({ cache: c.cache }, c.misses);
    },
    'feature-missing': (f) => {
      for (const [feature, n] of Object.entries(f.counts)) m.featureMissing.inc({ feature }, n);
    },
    reload: (r) => m.reloads.inc({ result: r.ok ? 'ok' : 'refused', code: r.code ?? '' }),
    'scorer-time': (s) => m.scorer.observe({ arm: s.arm }, s.ms / 1000),
  };
}

function parseOptions(options: MetricsOptions): { registry: Registry; prefix: string; buckets: number[] } {
  checkKnownOptions(options, ['registry', 'prefix', 'latencyBuckets', 'teacherLogger'], 'preRankMetrics');
  const registry = given(options.registry, new Registry());
  if (!isRegistry(registry)) throw optionError('registry', 'must be a prom-client Registry', registry);
  const prefix = given(options.prefix, 'autofas_');
  if (typeof prefix !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) throw optionError('prefix', 'must be a valid Prometheus metric name prefix', prefix);
  const latency = given(options.latencyBuckets, [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1]);
  if (!Array.isArray(latency)) throw optionError('latencyBuckets', 'must be increasing positive numbers', latency);
  const buckets = [...latency];
  if (buckets.length === 0 || buckets.some((b, i) => !(b > 0) || (i > 0 && b <= buckets[i - 1]))) {
    throw optionError('latencyBuckets', 'must be increasing positive numbers', options.latencyBuckets);
  }
  return { registry, prefix, buckets };
}

/** `preRankMetrics(preRanker, options)`: registers the instruments and subscribes to the pre-ranker's events. */
export function preRankMetrics(preRanker: Source, options: MetricsOptions = {}): PreRankMetrics {
  const { registry, prefix, buckets } = parseOptions(options);
  const m = makeInstruments(registry, prefix, buckets);
  m.breaker.set(BREAKER_STATE_VALUE[preRanker.stats?.().breaker ?? 'closed']);
  const subscriptions = new Subscriptions();
  const handlers = preRankHandlers(m);
  for (const name of Object.keys(handlers) as (keyof PreRankEventMap)[]) {
    subscriptions.on(preRanker.events as Subscribable<keyof PreRankEventMap>, name, handlers[name] as (info: never) => void);
  }
  const attachTeacherLogger = (logger: Pick<TeacherLogger, 'events' | 'sink'>): void => {
    const on = subscriptions.on.bind(subscriptions);
    on(logger.sink, 'written', (w: { lines: number }) => m.logLines.inc(w.lines));
    on(logger.sink, 'drop', (d: { reason: string; lines: number }) => m.logDropped.inc({ reason: d.reason }, d.lines));
    on(logger.sink, 'rotate', () => m.logFiles.inc());
    on(logger.events, 'skipped', (s: { reason: string }) => m.logSkipped.inc({ reason: s.reason }));
    on(logger.events, 'recall', (r: { arm: string; recall: number; shadow: boolean }) =>
      m.recall.observe({ arm: r.arm, role: r.shadow ? 'shadow' : 'served' }, r.recall),
    );
  };
  if (options.teacherLogger) attachTeacherLogger(options.teacherLogger);
  return {
    registry,
    attachTeacherLogger,
    close: () => subscriptions.close(),
  };
}
