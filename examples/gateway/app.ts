// The demo search gateway: matching hop -> AutoFAS pre-ranker -> ranking hop (fixture teacher), as an importable app factory.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import { loadArtifact } from '../../src/schema/artifact.js';
import { createPreRanker, preRankAdmin, preRankMetrics, preRankStatus, staticFlags, teacherLogger } from '../../src/index.js';
import type { AdminOptions, PreRanker, PreRankerOptions, PreRankMetrics, PreRankStatus, SearchState, TeacherLogger, TeacherLoggerOptions } from '../../src/index.js';
import { jsonErrors, notFound, sendError } from './errors.js';
import { teacherRanker, worldHops } from './world-hops.js';
import type { WorldHops } from './world-hops.js';
import { worldRedisStore } from './redis-store.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

export interface GatewayOptions {
  /** Pre-ranking model directory. @default $AUTOFAS_MODEL, else fixtures/model, else the fixture teacher */
  readonly model?: string;
  /** `vector` baseline directory (fallback and `baseline` arm). @default $AUTOFAS_BASELINE, else fixtures/baseline if present */
  readonly baseline?: string;
  /** Ranking model directory. @default fixtures/world/teacher */
  readonly teacher?: string;
  /** Candidates the matching hop returns. @default 2000 */
  readonly candidates?: number;
  /** Which pre-ranker serves: the searched model (`plugin`) or the vector baseline (`vector`). @default 'plugin' */
  readonly arm?: 'plugin' | 'vector';
  /** Extra options for the pre-ranker (k, workers, flags, ...). @default {} */
  readonly preRank?: Partial<PreRankerOptions>;
  /** [ops] Teacher-log collection on the requests the pre-ranker samples (`autofas.teacherLogRate`). @default off */
  readonly teacherLog?: TeacherLoggerOptions;
  /** [redis] Serve store features from this Redis (after `autofas store load`). @default $REDIS_URL, else the in-memory world store */
  readonly redisUrl?: string;
  /** [ops] The admin router at `/autofas` (status page, health, model cards, reload, metrics); the gateway builds its metrics and status. @default off */
  readonly admin?: Omit<AdminOptions, 'metrics' | 'status'>;
}

export interface Gateway {
  readonly app: Express;
  readonly preRanker: PreRanker;
  /** [ops] The teacher logger when `teacherLog` is set. */
  readonly teacherLogger: TeacherLogger | null;
  /** [ops] Prometheus instruments and the status page's numbers, when `admin` is set. */
  readonly metrics: PreRankMetrics | null;
  readonly status: PreRankStatus | null;
  close(): Promise<void>;
}

/** The model the demo serves: $AUTOFAS_MODEL, else fixtures/model, else the fixture teacher. */
export function defaultModel(): string {
  if (process.env.AUTOFAS_MODEL) return process.env.AUTOFAS_MODEL;
  return existsSync(`${FIXTURES}model/model.json`) ? `${FIXTURES}model` : `${FIXTURES}world/teacher`;
}

/** The demo's baseline: $AUTOFAS_BASELINE, else fixtures/baseline when present. */
export function defaultBaseline(): string | undefined {
  if (process.env.AUTOFAS_BASELINE) return process.env.AUTOFAS_BASELINE;
  return existsSync(`${FIXTURES}baseline/model.json`) ? `${FIXTURES}baseline` : undefined;
}

/** Builds the gateway: loads the world, the pre-ranker and the teacher; `POST /search {user_id, query, k?}`. */
export async function createGatewayApp(options: GatewayOptions = {}): Promise<Gateway> {
  const hops = worldHops();
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL;
  const redis = redisUrl ? await worldRedisStore(redisUrl, hops) : null;
  const baseline = options.baseline ?? defaultBaseline();
  const preRanker = await createPreRanker({
    model: options.model ?? defaultModel(),
    ...(baseline ? { baseline } : {}),
    k: 100,
    itemStore: redis ?? hops.store,
    ...(options.arm === 'vector' ? { flags: staticFlags({ arm: 'baseline' }) } : {}),
    ...options.preRank,
  });
  const rank = await teacherRanker(await loadArtifact(options.teacher ?? `${FIXTURES}world/teacher`));
  const app = express();
  const logger = options.teacherLog ? gatewayTeacherLogger(options.teacherLog) : null;
  const observed = options.admin ? observe(preRanker, logger) : null;
  if (options.admin && observed) app.use('/autofas', preRankAdmin(preRanker, { ...options.admin, ...observed })); // before the global parser: its own 4 KB limit applies
  app.use(express.json({ limit: '64kb' }));
  app.post('/search', ...(logger ? [logger] : []), matchingHop(hops, options.candidates ?? 2000), preRanker, rankingHop(hops, rank));
  app.use(notFound, jsonErrors);
  const close = async (): Promise<void> => {
    observed?.metrics.close();
    observed?.status.close();
    await Promise.all([logger?.close(), preRanker.close(), redis?.close()]);
  };
  return { app, preRanker, teacherLogger: logger, metrics: observed?.metrics ?? null, status: observed?.status ?? null, close };
}

/** [ops] Metrics (a private registry) and the status page's numbers, both fed by the pre-ranker's and the logger's events. */
function observe(preRanker: PreRanker, logger: TeacherLogger | null): { metrics: PreRankMetrics; status: PreRankStatus } {
  const teacher = logger ? { teacherLogger: logger } : {};
  return { metrics: preRankMetrics(preRanker, teacher), status: preRankStatus(preRanker, teacher) };
}

/** [ops] The logger runs when the response has finished and reads the ranking hop's scores and full feature rows. */
function gatewayTeacherLogger(options: TeacherLoggerOptions): TeacherLogger {
  return teacherLogger({
    when: 'finish',
    teacherScore: (_c, _req, res, i) => (res.locals.rankScores as Float32Array | undefined)?.[i],
    features: (_c, _req, res, i) => (res.locals.rankFeatures as Record<string, never>[] | undefined)?.[i],
    ...options,
  });
}

/** The matching hop: the known user's context and the query's best `n` candidates into `res.locals.search`. */
function matchingHop(hops: WorldHops, n: number) {
  return function matching(req: Request, res: Response, next: NextFunction): void {
    const { user_id: userId, query } = (req.body ?? {}) as { user_id?: unknown; query?: unknown };
    const context = typeof userId === 'string' && typeof query === 'string' ? hops.context(userId, query) : null;
    if (!context) return sendError(res, 400, 'ERR_GATEWAY_UNKNOWN_REQUEST', 'need a known `user_id` (user-0000..) and `query` (query-000..)');
    const search: SearchState = { context, candidates: hops.match(userId as string, query as string, n), unitId: userId as string };
    res.locals.search = search;
    next();
  };
}

/** The ranking hop: the teacher scores the kept candidates; responds with the top `k` (default 10, at most 100). */
function rankingHop(hops: WorldHops, rank: Awaited<ReturnType<typeof teacherRanker>>) {
  return async function ranking(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const { context, candidates } = res.locals.search as SearchState;
      const rows = hops.fullFeatures(context as Record<string, never>, candidates);
      const scores = await rank(context as Record<string, never>, rows);
      res.locals.rankScores = scores; // [ops] read by the teacher logger
      res.locals.rankFeatures = rows;
      const k = Math.max(1, Math.min(100, Number((req.body as { k?: unknown }).k) || 10));
      const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b).slice(0, k);
      const results = order.map((i) => ({ item_id: candidates[i].item_id, score: round(scores[i]), preRankScore: round(candidates[i].preRankScore) }));
      res.json({ results, preRank: res.locals.preRank });
    } catch (err) {
      next(err);
    }
  };
}

function round(x: number | undefined): number | null {
  return x === undefined ? null : Math.round(x * 1e4) / 1e4;
}
