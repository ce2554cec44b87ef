// The status page's numbers: per arm rate, paths, latency quantiles, online Recall@K with a 95% CI, Overlap@K, fed by events.
import { intOption } from '../schema/option-values.js';
import { optionError } from '../schema/errors.js';
import { checkKnownOptions, given } from './known-options.js';
import type { Clock } from './log-sink.js';
import type { TeacherLogger } from './teacher-logger.js';
import type { Arm, PreRanker, PreRankRecord, ScoringPath } from './types.js';
import { quantile } from '../util/stats.js';
import { Subscriptions } from './subscriptions.js';
import type { Subscribable } from './subscriptions.js';

export interface StatusOptions {
  /** A teacher logger whose online Recall@K and log counters are shown too. @default none */
  readonly teacherLogger?: Pick<TeacherLogger, 'events' | 'sink'>;
  /** Request rates are averaged over this window. @default 60000 */
  readonly windowMs?: number;
  /** Latency quantiles are taken over this many latest requests per arm. @default 2048 */
  readonly latencySamples?: number;
  /** @default Date */
  readonly clock?: Clock;
}

/** Mean of a ratio with its normal-approximation 95% confidence interval. */
export interface MeanCI {
  readonly n: number;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
}

export interface ArmStatus {
  readonly arm: Arm;
  readonly requests: number;
  /** Requests per second over the last `windowMs` (or since start, when shorter). */
  readonly ratePerSecond: number;
  /** Share of the arm's requests on each scoring path. */
  readonly pathShare: Readonly<Partial<Record<ScoringPath, number>>>;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly n: number } | null;
  /** Online Recall@K of the arm when it served, and when it scored in the shadow. */
  readonly recall: MeanCI | null;
  readonly shadowRecall: MeanCI | null;
  /** Overlap@K with the shadow arm on requests this arm served. */
  readonly shadowOverlap: MeanCI | null;
}

export interface StatusSnapshot {
  readonly at: string;
  readonly uptimeSeconds: number;
  readonly breaker: 'open' | 'halfOpen' | 'closed';
  readonly models: { readonly model: ModelSummary | null; readonly baseline: ModelSummary | null };
  readonly arms: readonly ArmStatus[];
  readonly teacherLog: {
    readonly written: number;
    readonly files: number;
    readonly dropped: Readonly<Record<string, number>>;
    readonly skipped: Readonly<Record<string, number>>;
  } | null;
}

export interface ModelSummary {
  readonly modelId: string;
  readonly kind: string;
  readonly features: number;
  readonly expectedUs: number | null;
  readonly createdAt: string;
}

export interface PreRankStatus {
  snapshot(): StatusSnapshot;
  /** Removes every listener this module added. */
  close(): void;
}

/** Running count, sum and sum of squares of a ratio. */
class Moments {
  n = 0;
  private sum = 0;
  private sumSq = 0;
  add(x: number): void {
    this.n += 1;
    this.sum += x;
    this.sumSq += x * x;
  }
  ci(): MeanCI | null {
    if (this.n === 0) return null;
    const mean = this.sum / this.n;
    const variance = this.n > 1 ? Math.max(0, (this.sumSq - this.n * mean * mean) / (this.n - 1)) : 0;
    const half = 1.96 * Math.sqrt(variance / this.n);
    return { n: this.n, mean, lo: Math.max(0, mean - half), hi: Math.min(1, mean + half) };
  }
}

/** Per-arm accumulators. */
class ArmState {
  requests = 0;
  readonly paths: Partial<Record<ScoringPath, number>> = {};
  readonly perSecond = new Map<number, number>();
  readonly latencies: Float64Array;
  latencyCount = 0;
  readonly recall = new Moments();
  readonly shadowRecall = new Moments();
  readonly overlap = new Moments();
  constructor(samples: number) {
    this.latencies = new Float64Array(samples);
  }
}

function summarise(card: ReturnType<PreRanker['models']>['model']): ModelSummary | null {
  if (!card) return null;
  return { modelId: card.modelId, kind: card.kind, features: card.inputs.length, expectedUs: card.latency.expectedUs ?? null, createdAt: card.provenance.createdAt };
}

function parseOptions(options: StatusOptions) {
  checkKnownOptions(options, ['teacherLogger', 'windowMs', 'latencySamples', 'clock'], 'preRankStatus');
  const clock = given(options.clock, Date as Clock);
  if (typeof clock?.now !== 'function') throw optionError('clock', 'must have a now() method', clock);
  const logger = options.teacherLogger;
  const shaped = (typeof logger === 'object' || typeof logger === 'function') && logger !== null && typeof logger.events?.on === 'function' && typeof logger.sink?.on === 'function';
  if (logger !== undefined && !shaped) {
    throw optionError('teacherLogger', 'must be a teacher logger (with `events` and `sink`)', logger);
  }
  return { windowMs: intOption('windowMs', options.windowMs, 60_000), latencySamples: intOption('latencySamples', options.latencySamples, 2048), clock, logger };
}

/** What the page shows, accumulated from events. */
class StatusBook {
  readonly arms = new Map<Arm, ArmState>();
  readonly log = { written: 0, files: 0, dropped: {} as Record<string, number>, skipped: {} as Record<string, number> };
  constructor(private readonly clock: Clock, private readonly windowMs: number, private readonly latencySamples: number, readonly startedAt: number) {}

  arm(arm: Arm): ArmState {
    let state = this.arms.get(arm);
    if (!state) this.arms.set(arm, (state = new ArmState(this.latencySamples)));
    return state;
  }

  request(r: PreRankRecord): void {
    const s = this.arm(r.arm);
    s.requests += 1;
    s.paths[r.path] = (s.paths[r.path] ?? 0) + 1;
    const now = this.clock.now();
    const second = Math.floor(now / 1000);
    const count = s.perSecond.get(second);
    // A new second drops the ones out of the window, so the map stays bounded when no one takes snapshots.
    if (count === undefined) this.countInWindow(s, now);
    s.perSecond.set(second, (count ?? 0) + 1);
    s.latencies[s.latencyCount++ % s.latencies.length] = r.latencyMs;
    if (r.shadowOverlap !== undefined) s.overlap.add(r.shadowOverlap);
  }

  /** Requests of the arm within the window ending at `now`; forgets the seconds before it. */
  countInWindow(s: ArmState, now: number): number {
    const oldest = Math.floor((now - this.windowMs) / 1000);
    let inWindow = 0;
    for (const [second, count] of s.perSecond) {
      if (second <= oldest) s.perSecond.delete(second);
      else inWindow += count;
    }
    return inWindow;
  }

  status(arm: Arm, s: ArmState, now: number): ArmStatus {
    const inWindow = this.countInWindow(s, now);
    const span = Math.max(1, Math.min(this.windowMs, now - this.startedAt)) / 1000;
    const n = Math.min(s.latencyCount, s.latencies.length);
    const sorted = s.latencies.slice(0, n).sort();
    const pathShare = Object.fromEntries(Object.entries(s.paths).map(([path, count]) => [path, count / s.requests]));
    return {
      arm,
      requests: s.requests,
      ratePerSecond: inWindow / span,
      pathShare,
      latencyMs: n === 0 ? null : { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), n },
      recall: s.recall.ci(),
      shadowRecall: s.shadowRecall.ci(),
      shadowOverlap: s.overlap.ci(),
    };
  }
}

/** Subscribes the book to the teacher logger's recall and skip events and to its sink's counters. */
function followTeacherLogger(book: StatusBook, logger: Pick<TeacherLogger, 'events' | 'sink'>, subscriptions: Subscriptions): void {
  const on = subscriptions.on.bind(subscriptions);
  const bump = (counts: Record<string, number>, key: string, by = 1): void => void (counts[key] = (counts[key] ?? 0) + by);
  on(logger.events, 'recall', (r: { arm: Arm; recall: number; shadow: boolean }) => (r.shadow ? book.arm(r.arm).shadowRecall : book.arm(r.arm).recall).add(r.recall));
  on(logger.events, 'skipped', (s: { reason: string }) => bump(book.log.skipped, s.reason));
  on(logger.sink, 'written', (w: { lines: number }) => void (book.log.written += w.lines));
  on(logger.sink, 'drop', (d: { reason: string; lines: number }) => bump(book.log.dropped, d.reason, d.lines));
  on(logger.sink, 'rotate', () => void (book.log.files += 1));
}

/** `preRankStatus(preRanker, options)`: subscribes to the pre-ranker's (and teacher logger's) events; `snapshot()` for the status page. */
export function preRankStatus(preRanker: Pick<PreRanker, 'events' | 'stats' | 'models'>, options: StatusOptions = {}): PreRankStatus {
  const { windowMs, latencySamples, clock, logger } = parseOptions(options);
  const book = new StatusBook(clock, windowMs, latencySamples, clock.now());
  const subscriptions = new Subscriptions();
  subscriptions.on(preRanker.events as Subscribable<string>, 'request', (r: PreRankRecord) => book.request(r));
  if (logger) followTeacherLogger(book, logger, subscriptions);
  return {
    snapshot() {
      const now = clock.now();
      const models = preRanker.models();
      const { log } = book;
      return {
        at: new Date(now).toISOString(),
        uptimeSeconds: (now - book.startedAt) / 1000,
        breaker: preRanker.stats().breaker,
        models: { model: summarise(models.model), baseline: summarise(models.baseline) },
        arms: [...book.arms].sort(([a], [b]) => a.localeCompare(b)).map(([arm, s]) => book.status(arm, s, now)),
        teacherLog: logger ? { written: log.written, files: log.files, dropped: { ...log.dropped }, skipped: { ...log.skipped } } : null,
      };
    },
    close: () => subscriptions.close(),
  };
}
