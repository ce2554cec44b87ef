// Serving benchmark: plugin overhead beyond ORT by feature count, warm vector fallback, stalls, and the gateway under load.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Request, Response } from 'express';
import { defaultModel, defaultBaseline } from '../examples/gateway/app.js';
import { worldHops } from '../examples/gateway/world-hops.js';
import type { WorldHops } from '../examples/gateway/world-hops.js';
import { createPreRankerWithHooks, engineOf } from '../src/serve/pre-ranker.js';
import type { PreRankerHooks } from '../src/serve/engine.js';
import { staticFlags } from '../src/serve/static-flags.js';
import type { PreRanker, PreRankerOptions, SearchState } from '../src/index.js';
import { loadSection } from './serve-load.js';
import { shapeSection } from './serve-shape.js';
import { benchRequests, parsedCopy } from './serve-requests.js';
import { stagesSection } from './serve-stages.js';
import { f, pct } from './serve-stats.js';

const N = 1000;
const ITERS = Number(process.env.SERVE_ITERS ?? 400);
const REPEATS = Number(process.env.SERVE_REPEATS ?? 3);
/** Sections to run (comma-separated): overhead, polling, stages, shape, vector, stall, load. @default all */
const ONLY = new Set((process.env.SERVE_ONLY ?? 'overhead,polling,stages,shape,vector,stall,load').split(','));

/**
 * When each request's candidates are made: `just-before` (untimed, right before the request, as a gateway's matching
 * hop hands them over), `parsed` (the same, through JSON as from a matching service's answer: every id a new string),
 * or `ahead` (all 50 requests' candidates at once, as the bench did before run 9).
 */
type Built = 'just-before' | 'parsed' | 'ahead';
const BUILT_LABEL: Record<Built, string> = { 'just-before': 'just before', parsed: 'just before, parsed from JSON', ahead: '50 requests ahead' };

function runOnce(preRanker: PreRanker, search: SearchState): Promise<Record<string, unknown>> {
  const res = { locals: { search } } as unknown as Response;
  return new Promise((resolve) => preRanker({} as Request, res, () => resolve(res.locals.preRank as unknown as Record<string, unknown>)));
}

interface Run {
  readonly total: number[];
  readonly scorer: number[];
  readonly paths: Record<string, number>;
  readonly stats: ReturnType<PreRanker['stats']>;
  readonly breakerOpens: number;
  readonly features: number;
  /** Of the requests that fell back: from the request's start to the fallback, and from the fallback to the end. */
  readonly toFallback: number[];
  readonly afterFallback: number[];
}

/** Runs ITERS requests through the middleware in process (after one warm pass per arm) and collects latencies. */
async function inProcess(label: string, options: Partial<PreRankerOptions>, hooks: PreRankerHooks, hops: WorldHops, live?: { on: boolean }, built: Built = 'ahead'): Promise<Run> {
  const { searches, search, store } = benchRequests(hops, 50, N);
  const preRanker = await createPreRankerWithHooks({ model: defaultModel(), baseline: defaultBaseline(), k: 100, workers: 1, itemStore: store, logger: { warn: () => {} }, ...options }, hooks);
  const scorer: number[] = [];
  let breakerOpens = 0;
  preRanker.events.on('scorer-time', (t) => void scorer.push(t.ms));
  preRanker.events.on('breaker', (state) => void (state === 'open' && breakerOpens++));
  let fellBackAt = 0;
  preRanker.events.on('fallback', () => void (fellBackAt = performance.now()));
  const [toFallback, afterFallback]: number[][] = [[], []];
  await warmBothArms(preRanker, searches);
  scorer.length = 0;
  if (live) live.on = true;
  const total: number[] = [];
  const paths: Record<string, number> = {};
  for (let i = 0; i < ITERS; ) {
    for (const ahead of built === 'ahead' ? searches() : Array.from({ length: 50 }, () => null)) {
      if (i++ >= ITERS) break;
      const s = ahead ?? (built === 'parsed' ? parsedCopy(search(i)) : search(i));
      const start = performance.now();
      const record = await runOnce(preRanker, s);
      const end = performance.now();
      total.push(end - start);
      if (fellBackAt > start) {
        toFallback.push(fellBackAt - start);
        afterFallback.push(end - fellBackAt);
      }
      paths[record.path as string] = (paths[record.path as string] ?? 0) + 1;
    }
  }
  const stats = preRanker.stats();
  const features = engineOf(preRanker).pool.plan.featureNames.length;
  await preRanker.close();
  console.log(`${label}: p50 ${f(pct(total, 0.5))} ms, p99 ${f(pct(total, 0.99))} ms, paths ${JSON.stringify(paths)}`);
  return { total, scorer, paths, stats, breakerOpens, features, toFallback, afterFallback };
}

/** Warm-up passes over the requests before timing: the new worker thread's code and the caches reach steady state. */
const WARM_PASSES = Number(process.env.SERVE_WARM_PASSES ?? 4);

/** Untimed runs before the overhead section: the process's code and heap (V8 grows its young generation) settle. */
const WARM_RUNS = Number(process.env.SERVE_WARM_RUNS ?? 3);

/** WARM_PASSES passes on the model and one on the vector scorer, so both arms' caches and JIT are warm. */
async function warmBothArms(preRanker: PreRanker, searches: () => SearchState[]): Promise<void> {
  const engine = engineOf(preRanker);
  for (let pass = 0; pass < WARM_PASSES; pass++) {
    for (const s of searches()) {
      const all = s.candidates; // the middleware replaces them with the kept ones
      await runOnce(preRanker, s);
      if (pass === 0) await engine.vector?.score(s.context, all, all.length, { remainingMs: () => 10_000, failed: false });
    }
  }
}

/** p50 of each of REPEATS runs: the box is shared, so the lowest p50 is the closest to an idle machine. */
async function repeated(run: () => Promise<number[]>): Promise<{ best: number; all: number[] }> {
  const all: number[] = [];
  for (let r = 0; r < REPEATS; r++) all.push(pct(await run(), 0.5));
  return { best: Math.min(...all), all };
}

/** Overhead beyond ORT of one model through the same pool: request time minus the ORT run measured alongside it. */
async function overhead(hops: WorldHops, model: string, targetMs: number | null, options: Partial<PreRankerOptions> = {}, variant = '', built: Built = 'just-before'): Promise<{ features: number; best: number }> {
  const ortP50: number[] = [];
  let features = 0;
  const name = `${model.split('/').slice(-2).join('/')}${variant}, candidates made ${BUILT_LABEL[built]}`;
  const over = await repeated(async () => {
    const run = await inProcess(`plugin, model path, ${name}`, { model, timeoutMs: 10_000, ...options }, {}, hops, undefined, built);
    ortP50.push(pct(run.scorer, 0.5));
    features = run.features;
    return run.total.map((t, i) => t - (run.scorer[i] ?? 0));
  });
  const target = targetMs === null ? '' : ` (target <= ${targetMs})`;
  console.log(`  ${name}, ${features} features: ORT run p50 ${ortP50.map((x) => f(x)).join(' / ')} ms; overhead beyond ORT p50 ${over.all.map((x) => f(x)).join(' / ')} ms, best ${f(over.best)}${target}`);
  return { features, best: over.best };
}

async function overheadSection(hops: WorldHops): Promise<void> {
  const small = await overhead(hops, defaultModel(), 0.15);
  const baselineDir = defaultBaseline();
  // Heavier models through the same pool, for scale: the vector baseline (17 features) and the teacher (12).
  const big = baselineDir ? await overhead(hops, baselineDir, 0.25) : null;
  await overhead(hops, fileURLToPath(new URL('../../fixtures/world/teacher', import.meta.url)), null);
  // The same two models with every request's candidates made 50 requests ahead (runs 1-8's setup).
  await overhead(hops, defaultModel(), null, {}, '', 'ahead');
  if (baselineDir) await overhead(hops, baselineDir, null, {}, '', 'ahead');
  // And through JSON, as a gateway gets them from a matching service: every item id a new string on every request.
  await overhead(hops, defaultModel(), null, {}, '', 'parsed');
  if (baselineDir) await overhead(hops, baselineDir, null, {}, '', 'parsed');
  if (big) {
    const perFeatureUs = ((big.best - small.best) * 1000) / (big.features - small.features);
    console.log(`  overhead per extra feature: ${f(perFeatureUs, 1)} us per 1000 candidates (${small.features} -> ${big.features} features)`);
  }
}

/**
 * What polling buys, side by side: the bundled model's overhead with the workers' polling off, with the event loop's
 * polling for answers off, and both at their defaults (the top-k selection alone is in the stages section).
 */
async function pollingSection(hops: WorldHops): Promise<void> {
  const on = await overhead(hops, defaultModel(), null, {}, ', polling at its defaults');
  const workerOff = await overhead(hops, defaultModel(), null, { workerSpinUs: 0 }, ', workerSpinUs 0');
  const answerOff = await overhead(hops, defaultModel(), null, { answerSpinUs: 0 }, ', answerSpinUs 0');
  for (const [what, off] of [['workers polling for runs', workerOff], ['the event loop polling for answers', answerOff]] as const) {
    console.log(`  ${what} saves ${f((off.best - on.best) * 1000, 1)} us a request (overhead ${f(on.best)} / ${f(off.best)} ms = ${f(on.best / off.best, 2)})`);
  }
  // Parsing each request's candidates from JSON lengthens the gap between runs past workerSpinUs, so the worker sleeps
  // between them unless it may poll longer.
  const parsed = await overhead(hops, defaultModel(), null, {}, ', workerSpinUs default', 'parsed');
  const longer = await overhead(hops, defaultModel(), null, { workerSpinUs: 3000 }, ', workerSpinUs 3000', 'parsed');
  console.log(`  candidates parsed from JSON: workerSpinUs 3000 saves ${f((parsed.best - longer.best) * 1000, 1)} us a request (${f(longer.best)} / ${f(parsed.best)} ms = ${f(longer.best / parsed.best, 2)})`);
}

async function vectorWarm(hops: WorldHops): Promise<number> {
  let p99 = Infinity;
  const scorer = await repeated(async () => {
    const run = await inProcess('plugin, vector arm (warm caches)', { flags: staticFlags({ arm: 'baseline' }) }, {}, hops);
    p99 = Math.min(p99, pct(run.total, 0.99));
    return run.scorer;
  });
  console.log(`  vector scorer (embeddings from cache, dot products) p50 ${scorer.all.map((x) => f(x)).join(' / ')} ms, best ${f(scorer.best)} (target <= 0.2)`);
  return p99;
}

async function stall(hops: WorldHops, vectorP99: number, workers: number): Promise<void> {
  let runs = 0;
  const timeoutMs = 20;
  const live = { on: false };
  const label = `model stalled 50 ms on every 10th run, timeoutMs ${timeoutMs}, ${workers} worker(s)`;
  const run = await inProcess(label, { timeoutMs, workers }, { stallMs: () => (live.on && ++runs % 10 === 0 ? 50 : 0) }, hops, live);
  const [to, after] = [pct(run.toFallback, 0.99), pct(run.afterFallback, 0.99)];
  console.log(`  p99 ${f(pct(run.total, 0.99))} ms, max ${f(Math.max(...run.total))} ms; bound timeoutMs + vector-arm request p99 = ${f(timeoutMs + vectorP99)} ms`);
  // The deadline itself, in this run: when the fallback starts, and how long the fallback then takes (the vector arm
  // measured alone above has warmer caches than a fallback between model runs).
  console.log(`  the ${run.toFallback.length} requests that fell back: request start to fallback p99 ${f(to)} ms (the deadline, timeoutMs ${timeoutMs}); fallback to end p99 ${f(after)} ms; p99 of all requests against timeoutMs + that = ${f(timeoutMs + after)} ms`);
  console.log(`  fallbacks ${JSON.stringify(run.stats.fallbacks)}, breaker opened ${run.breakerOpens} times`);
}

const hops = worldHops();
console.log(`${N} candidates a request, ${ITERS} requests in process; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
// Untimed runs first: the main thread's code (the bench's own and the plugin's) and its heap reach steady state, so the
// first model measured does not pay for it.
if (ONLY.has('overhead') || ONLY.has('polling')) {
  for (let r = 0; r < WARM_RUNS; r++) await inProcess('warm-up run (not reported)', { model: defaultModel(), timeoutMs: 10_000 }, {}, hops);
}
if (ONLY.has('overhead')) await overheadSection(hops);
if (ONLY.has('polling')) await pollingSection(hops);
if (ONLY.has('stages')) await stagesSection(benchRequests(hops, 50, N));
if (ONLY.has('shape')) await shapeSection(hops, N);
const vectorP99 = ONLY.has('vector') || ONLY.has('stall') ? await vectorWarm(hops) : 0;
if (ONLY.has('stall')) {
  await stall(hops, vectorP99, 1);
  await stall(hops, vectorP99, 2);
}
if (ONLY.has('load')) await loadSection(N);
