// Serving benchmark: plugin overhead beyond ORT, warm vector fallback, gateway throughput (plugin vs vector), 50 ms stall p99.
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Request, Response } from 'express';
import { defaultModel, defaultBaseline } from '../examples/gateway/app.js';
import { worldHops } from '../examples/gateway/world-hops.js';
import type { WorldHops } from '../examples/gateway/world-hops.js';
import { createPreRankerWithHooks } from '../src/serve/pre-ranker.js';
import type { PreRankerHooks } from '../src/serve/engine.js';
import { staticFlags } from '../src/serve/static-flags.js';
import type { ItemStore, PreRanker, PreRankerOptions, SearchState } from '../src/index.js';

const N = 1000;
const ITERS = Number(process.env.SERVE_ITERS ?? 400);
const CANNON_S = Number(process.env.SERVE_CANNON_S ?? 10);
const CONNECTIONS = Number(process.env.SERVE_CONNECTIONS ?? 4);
type Cannon = (o: Record<string, unknown>) => PromiseLike<{ requests: { average: number; total: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number }>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const f = (x: number, d = 3): string => x.toFixed(d);

/** Requests of the fixture world (user x query), with every store read answered from memory so store time is ~0. */
function benchRequests(hops: WorldHops, count: number): { searches: () => SearchState[]; store: ItemStore } {
  const pairs = Array.from({ length: count }, (_, r) => [hops.world.users.ids[(r * 37) % hops.world.users.ids.length], hops.world.queries.ids[(r * 11) % hops.world.queries.ids.length]]);
  const memo = new Map<string, Promise<readonly unknown[]>>();
  const store: ItemStore = {
    get(ids, names, context) {
      const key = `${names.join()}|${context.user_id}|${context.query_id}|${ids.length}|${ids[0]}`;
      if (!memo.has(key)) memo.set(key, hops.store.get(ids, names, context));
      return memo.get(key) as never;
    },
  };
  const searches = (): SearchState[] => pairs.map(([u, q]) => ({ context: hops.context(u, q) as SearchState['context'], candidates: hops.match(u, q, N), unitId: u }));
  return { searches, store };
}

function runOnce(preRanker: PreRanker, search: SearchState): Promise<Record<string, unknown>> {
  const res = { locals: { search } } as unknown as Response;
  return new Promise((resolve) => preRanker({} as Request, res, () => resolve(res.locals.preRank)));
}

interface Run {
  readonly total: number[];
  readonly scorer: number[];
  readonly paths: Record<string, number>;
  readonly stats: ReturnType<PreRanker['stats']>;
  readonly breakerOpens: number;
}

/** Runs ITERS requests through the middleware in process (after one warm pass per arm) and collects latencies. */
async function inProcess(label: string, options: Partial<PreRankerOptions>, hooks: PreRankerHooks, hops: WorldHops, live?: { on: boolean }): Promise<Run> {
  const { searches, store } = benchRequests(hops, 50);
  const preRanker = await createPreRankerWithHooks({ model: defaultModel(), baseline: defaultBaseline(), k: 100, workers: 1, itemStore: store, logger: { warn: () => {} }, ...options }, hooks);
  const scorer: number[] = [];
  let breakerOpens = 0;
  preRanker.events.on('scorer-time', (t) => void scorer.push(t.ms));
  preRanker.events.on('breaker', (state) => void (state === 'open' && breakerOpens++));
  await warmBothArms(preRanker, searches());
  scorer.length = 0;
  if (live) live.on = true;
  const total: number[] = [];
  const paths: Record<string, number> = {};
  for (let i = 0; i < ITERS; ) {
    for (const s of searches()) {
      if (i++ >= ITERS) break;
      const start = performance.now();
      const record = await runOnce(preRanker, s);
      total.push(performance.now() - start);
      paths[record.path as string] = (paths[record.path as string] ?? 0) + 1;
    }
  }
  const stats = preRanker.stats();
  await preRanker.close();
  console.log(`${label}: p50 ${f(pct(total, 0.5))} ms, p99 ${f(pct(total, 0.99))} ms, paths ${JSON.stringify(paths)}`);
  return { total, scorer, paths, stats, breakerOpens };
}

/** One pass on the model and one on the vector scorer, so both arms' caches and JIT are warm. */
async function warmBothArms(preRanker: PreRanker, searches: SearchState[]): Promise<void> {
  const { engineOf } = await import('../src/serve/pre-ranker.js');
  const engine = engineOf(preRanker);
  for (const s of searches) {
    const all = s.candidates; // the middleware replaces them with the kept ones
    await runOnce(preRanker, s);
    await engine.vector?.score(s.context, all, all.length, { remainingMs: () => 10_000, failed: false });
  }
}

const REPEATS = Number(process.env.SERVE_REPEATS ?? 3);

/** p50 of each of REPEATS runs: the box is shared, so the lowest p50 is the closest to an idle machine. */
async function repeated(run: () => Promise<number[]>): Promise<{ best: number; all: number[] }> {
  const all: number[] = [];
  for (let r = 0; r < REPEATS; r++) all.push(pct(await run(), 0.5));
  return { best: Math.min(...all), all };
}

async function overhead(hops: WorldHops, model: string): Promise<void> {
  const ortP50: number[] = [];
  const over = await repeated(async () => {
    const { total, scorer } = await inProcess(`plugin, model path, ${model.split('/').slice(-2).join('/')}`, { model, timeoutMs: 10_000 }, {}, hops);
    ortP50.push(pct(scorer, 0.5));
    return total.map((t, i) => t - (scorer[i] ?? 0));
  });
  console.log(`  ORT run p50 ${ortP50.map((x) => f(x)).join(' / ')} ms; plugin overhead beyond ORT p50 ${over.all.map((x) => f(x)).join(' / ')} ms, best ${f(over.best)} (target <= 0.5)`);
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
  console.log(`  p99 ${f(pct(run.total, 0.99))} ms, max ${f(Math.max(...run.total))} ms; bound timeoutMs + vector-arm request p99 = ${f(timeoutMs + vectorP99)} ms`);
  console.log(`  fallbacks ${JSON.stringify(run.stats.fallbacks)}, breaker opened ${run.breakerOpens} times`);
}

async function gateway(arm: 'plugin' | 'vector'): Promise<{ rps: number; p50: number; p99: number; paths: unknown }> {
  const child = fork(new URL('./serve-gateway-server.js', import.meta.url), [], { env: { ...process.env, SERVE_ARM: arm, SERVE_CANDIDATES: String(N) } });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve((m as { port: number }).port)));
  const requests = Array.from({ length: 40 }, (_, r) => ({ method: 'POST', path: '/search', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: `user-${String((r * 37) % 2000).padStart(4, '0')}`, query: `query-${String((r * 11) % 400).padStart(3, '0')}` }) }));
  await autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: 2, requests }); // warm-up
  await new Promise((resolve) => {
    child.once('message', resolve);
    child.send('mark');
  });
  const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: CANNON_S, requests });
  const stats = await new Promise((resolve) => {
    child.once('message', (m) => resolve((m as { stats: unknown }).stats));
    child.send('stop');
  });
  console.log(`gateway (${arm}): ${f(result.requests.average, 1)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}, ${JSON.stringify(stats)}`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, paths: stats };
}

const hops = worldHops();
console.log(`${N} candidates a request, ${ITERS} requests in process, autocannon ${CANNON_S} s x ${CONNECTIONS} connections; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
await overhead(hops, defaultModel());
// Heavier models through the same pool, for scale: the vector baseline (17 features) and the teacher (12).
const baselineDir = defaultBaseline();
if (baselineDir) await overhead(hops, baselineDir);
await overhead(hops, fileURLToPath(new URL('../../fixtures/world/teacher', import.meta.url)));
const vectorP99 = await vectorWarm(hops);
await stall(hops, vectorP99, 1);
await stall(hops, vectorP99, 2);
const plugin = await gateway('plugin');
const vector = await gateway('vector');
console.log(`gateway plugin / vector throughput: ${f((100 * plugin.rps) / vector.rps, 1)}% (target >= 70%)`);
