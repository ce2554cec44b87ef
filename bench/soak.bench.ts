// Soak benchmark: hot reloads under autocannon load (lost requests, p99 around swaps) and memory over reloads and 100k requests.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { f, pct as percentile } from './serve-stats.js';
import { writeTestArtifacts } from '../test/helpers/serve-app.js';

interface CannonResult {
  latency: { p50: number; p99: number };
  requests: { total: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface CannonInstance extends PromiseLike<CannonResult> {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
type Cannon = (opts: Record<string, unknown>) => CannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const TOKEN = 'soak-bench-token-0123456789';
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 4);
const PHASE_S = Number(process.env.SOAK_PHASE_S ?? 10);
const RELOADS = Number(process.env.SOAK_RELOADS ?? 20);
/** Time between reloads in the reload phase (the phase lasts (RELOADS + 1) periods). */
const PERIOD_MS = Number(process.env.SOAK_PERIOD_MS ?? 1000);
const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 100_000);
/**
 * Requests before the first memory reading, until the heap and allocator settle. After 20,000 (the default before
 * session 6) rss was still rising on the 2-vCPU box: see docs/benchmarks.md, "Operations", run 4.
 */
const WARMUP = Number(process.env.SOAK_WARMUP ?? 60_000);
const SWAP_WINDOW_MS = 100;

function startServer(root: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(new URL('./soak-server.js', import.meta.url), [], {
    env: { ...process.env, SOAK_ROOT: root },
    execArgv: ['--expose-gc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, url: `http://127.0.0.1:${(m as { port: number }).port}` }));
    child.once('exit', (code) => reject(new Error(`soak server exited with ${code}`)));
  });
}

type Mem = { rss: number; heapUsed: number; external: number };

/** Memory after gc: the median of 5 readings 300 ms apart (one RSS reading of a threaded process swings by ~5%). */
async function mem(url: string): Promise<Mem> {
  const readings: Mem[] = [];
  for (let i = 0; i < 5; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 300));
    readings.push((await (await fetch(`${url}/bench/mem`)).json()) as Mem);
  }
  const median = (key: keyof Mem) => readings.map((m) => m[key]).sort((a, b) => a - b)[2];
  return { rss: median('rss'), heapUsed: median('heapUsed'), external: median('external') };
}

/** One load phase; returns autocannon's result and every response's completion time and latency. */
async function load(url: string, opts: Record<string, unknown>): Promise<{ result: CannonResult; samples: [number, number][] }> {
  const samples: [number, number][] = [];
  const instance = autocannon({ url: `${url}/search`, method: 'POST', connections: CONNECTIONS, ...opts });
  instance.on('response', (_c, _s, _b, ms) => samples.push([performance.now(), ms]));
  return { result: await instance, samples };
}

/** The p99 by the library's one quantile rule; NaN with no sample (a run without reloads has no swap window). */
function p99(values: number[]): number {
  return values.length > 0 ? percentile(values, 0.99) : NaN;
}

/** Reloads `count` times, one every `periodMs`; the models' ids and each reload's time (POST to answer, under the load). */
async function reloadLoop(url: string, count: number, periodMs: number, windows: [number, number][]): Promise<{ ids: string[]; ms: number[] }> {
  const ids: string[] = [];
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    await new Promise((r) => setTimeout(r, periodMs));
    const start = performance.now();
    const res = await fetch(`${url}/admin/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dir: i % 2 === 0 ? 'model2' : 'model' }),
    });
    const body = (await res.json()) as { modelId?: string; error?: unknown };
    if (res.status !== 200) throw new Error(`reload ${i} failed: ${JSON.stringify(body)}`);
    const end = performance.now();
    windows.push([start, end + SWAP_WINDOW_MS]);
    ms.push(end - start);
    ids.push(body.modelId as string);
  }
  return { ids, ms };
}

/** Counters so far: fallbacks over all reasons, and misses of the encoded item-row cache (a swap that drops it shows here). */
async function counts(url: string): Promise<{ fallbacks: number; rowMisses: number }> {
  const text = await (await fetch(`${url}/admin/metrics`)).text();
  const sum = (pattern: RegExp): number => [...text.matchAll(pattern)].reduce((total, m) => total + Number(m[1]), 0);
  return { fallbacks: sum(/^autofas_fallbacks_total\{[^}]*\} (\d+)/gm), rowMisses: sum(/^autofas_cache_misses_total\{cache="item-features"\} (\d+)/gm) };
}

async function fallbacks(url: string): Promise<string> {
  const text = await (await fetch(`${url}/admin/metrics`)).text();
  const lines = [...text.matchAll(/^autofas_fallbacks_total\{[^}]*reason="([^"]+)"[^}]*\} (\d+)/gm)];
  return lines.length ? lines.map((m) => `${m[1]}=${m[2]}`).join(', ') : 'none';
}

const mb = (b: number) => (b / 2 ** 20).toFixed(1);
const pct = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)}%`;

/** The soak: REQUESTS requests in ten parts, memory after each part; lost requests and the worst p99 over the parts. */
async function soakParts(url: string): Promise<{ soakMem: Mem[]; soakLost: { total: number; lost: number; p99: number }; soakS: number }> {
  const startSoak = performance.now();
  const soakMem: Mem[] = [];
  const soakLost = { total: 0, lost: 0, p99: 0 };
  for (let part = 0; part < 10; part++) {
    const soak = await load(url, { amount: Math.ceil(REQUESTS / 10) });
    soakLost.total += soak.result.requests.total;
    soakLost.lost += soak.result.errors + soak.result.timeouts + soak.result.non2xx;
    soakLost.p99 = Math.max(soakLost.p99, soak.result.latency.p99);
    soakMem.push(await mem(url));
  }
  return { soakMem, soakLost, soakS: (performance.now() - startSoak) / 1000 };
}

/** The memory table: after warm-up, after the reloads, after the soak; growth against the targets. */
function printMemory(mem0: Mem, mem1: Mem, soakMem: readonly Mem[]): void {
  const mem2 = soakMem[soakMem.length - 1];
  console.log('| memory after gc | rss MB | heapUsed MB | external MB |');
  console.log('|---|---:|---:|---:|');
  for (const [name, m] of [[`after warm-up (${WARMUP} requests)`, mem0], [`after ${RELOADS} reloads`, mem1], [`after ${REQUESTS} more requests`, mem2]] as const) {
    console.log(`| ${name} | ${mb(m.rss)} | ${mb(m.heapUsed)} | ${mb(m.external)} |`);
  }
  console.log(`growth: rss ${pct(mem0.rss, mem1.rss)} over reloads, ${pct(mem0.rss, mem2.rss)} overall; heapUsed ${pct(mem0.heapUsed, mem1.heapUsed)}, ${pct(mem0.heapUsed, mem2.heapUsed)} (target <= 10%)`);
  console.log(`rss during the soak, every ${Math.ceil(REQUESTS / 10)} requests (MB): ${soakMem.map((m) => mb(m.rss)).join(' ')}`);
  console.log(`soak growth from its first tenth to its end: rss ${pct(soakMem[0].rss, mem2.rss)}, heapUsed ${pct(soakMem[0].heapUsed, mem2.heapUsed)}`);
}

async function main(): Promise<void> {
  const paths = await writeTestArtifacts();
  const { child, url } = await startServer(paths.root);
  try {
    await load(url, { amount: WARMUP });
    const mem0 = await mem(url);
    const c0 = await counts(url);
    const base = await load(url, { duration: PHASE_S });
    const c1 = await counts(url);
    const windows: [number, number][] = [];
    const swapS = Math.ceil(((RELOADS + 1) * PERIOD_MS) / 1000);
    const [swap, { ids, ms: reloadMs }] = await Promise.all([load(url, { duration: swapS }), reloadLoop(url, RELOADS, PERIOD_MS, windows)]);
    const mem1 = await mem(url);
    const c2 = await counts(url);
    const inWindow = swap.samples.filter(([t, ms]) => windows.some(([a, b]) => t - ms <= b && t >= a)).map(([, ms]) => ms);
    const outWindow = swap.samples.filter(([t, ms]) => !windows.some(([a, b]) => t - ms <= b && t >= a)).map(([, ms]) => ms);
    const { soakMem, soakLost, soakS } = await soakParts(url);
    const mem2 = soakMem[soakMem.length - 1];
    const c3 = await counts(url);
    const lost = (r: CannonResult) => r.errors + r.timeouts + r.non2xx;
    console.log(`connections=${CONNECTIONS} candidates/request=${process.env.SOAK_CANDIDATES ?? 1000} k=50 workers=${process.env.SOAK_WORKERS ?? 1}`);
    console.log('| phase | requests | req/s | p50 ms | p99 ms | lost (errors+timeouts+non-2xx) | fallbacks | item-row cache misses |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const [name, r, [a, b]] of [['steady', base.result, [c0, c1]], [`${RELOADS} reloads`, swap.result, [c1, c2]]] as const) {
      console.log(`| ${name} | ${r.requests.total} | ${r.requests.average} | ${r.latency.p50} | ${r.latency.p99} | ${lost(r)} | ${b.fallbacks - a.fallbacks} | ${b.rowMisses - a.rowMisses} |`);
    }
    console.log(`| soak (10 parts) | ${soakLost.total} | ${(soakLost.total / soakS).toFixed(0)} | | max ${soakLost.p99} | ${soakLost.lost} | ${c3.fallbacks - c2.fallbacks} | ${c3.rowMisses - c2.rowMisses} |`);
    console.log(`\nreloads ok: ${ids.length}, distinct models: ${new Set(ids).size}; fallbacks since start (warm-up included): ${await fallbacks(url)}`);
    console.log(`reload time (POST /admin/reload to its answer, under the load): p50 ${f(percentile(reloadMs, 0.5), 2)} ms, max ${f(Math.max(...reloadMs), 2)} ms`);
    console.log(`p99 of requests overlapping a swap (+${SWAP_WINDOW_MS} ms): ${p99(inWindow).toFixed(2)} ms over ${inWindow.length} requests;`);
    console.log(`  outside swaps, same run: ${p99(outWindow).toFixed(2)} ms; steady run p99 (per-response): ${p99(base.samples.map(([, ms]) => ms)).toFixed(2)} ms`);
    console.log(`  added to p99 by the swaps (vs outside swaps, same run): ${(p99(inWindow) - p99(outWindow)).toFixed(2)} ms (target <= 2)`);
    console.log(`soak: ${REQUESTS} requests in ${soakS.toFixed(0)} s`);
    printMemory(mem0, mem1, soakMem);
  } finally {
    child.send('stop');
  }
}

await main();
