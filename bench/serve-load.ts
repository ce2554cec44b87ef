// Load section of the serving benchmark: autocannon against the demo gateway, plugin and vector arms, in one run.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pacedLoad } from '../examples/gateway/paced-load.js';
import { f } from './serve-stats.js';

const CANNON_S = Number(process.env.SERVE_CANNON_S ?? 10);
const TIMEOUT_MS = 50;
type Cannon = (o: Record<string, unknown>) => PromiseLike<{ requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number }>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

interface PluginReport {
  readonly requests: number;
  readonly pluginP50: number;
  readonly pluginP99: number;
  readonly byPath: Record<string, number>;
  readonly p99ByPath: Record<string, number>;
  readonly reasons: Record<string, number>;
  readonly cpuMsPerRequest: number;
}

interface LoadResult {
  readonly rps: number;
  readonly report: PluginReport;
}

function ask<T>(child: ChildProcess, message: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: unknown): void => {
      if (typeof m !== 'object' || m === null || !(key in m)) return;
      child.off('message', on);
      resolve((m as Record<string, T>)[key]);
    };
    child.on('message', on);
    child.send(message);
  });
}

/** The gateway of one arm in a child process (so its event loop is not the load generator's). */
async function startGateway(arm: 'plugin' | 'vector', candidates: number, timeoutMs = TIMEOUT_MS): Promise<{ child: ChildProcess; url: string }> {
  const env = { ...process.env, SERVE_ARM: arm, SERVE_CANDIDATES: String(candidates), SERVE_TIMEOUT_MS: String(timeoutMs) };
  const child = fork(new URL('./serve-gateway-server.js', import.meta.url), [], { env });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve((m as { port: number }).port)));
  return { child, url: `http://127.0.0.1:${port}` };
}

const requests = Array.from({ length: 40 }, (_, r) => ({
  method: 'POST',
  path: '/search',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ user_id: `user-${String((r * 37) % 2000).padStart(4, '0')}`, query: `query-${String((r * 11) % 400).padStart(3, '0')}` }),
}));

type Load = { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };

/** Load by autocannon (closed loop on `connections`; `rate` caps requests/s, sent in per-second bursts). */
const cannon = (connections: number, rate?: number) => (url: string, seconds: number): PromiseLike<Load> =>
  autocannon({ url, connections, duration: seconds, requests, ...(rate ? { overallRate: Math.max(1, Math.round(rate)) } : {}) });

/** Open-loop load: `rate` requests/s, evenly spaced. */
const paced = (rate: number) => (url: string, seconds: number): PromiseLike<Load> => {
  let next = 0;
  return pacedLoad(`${url}/search`, rate, seconds, () => requests[next++ % requests.length].body);
};

/** One load phase: 2 s of warm-up, then CANNON_S seconds measured. */
async function phase(gateway: { child: ChildProcess; url: string }, label: string, load: (url: string, seconds: number) => PromiseLike<Load>): Promise<LoadResult> {
  await load(gateway.url, 2);
  await ask(gateway.child, 'mark', 'marked');
  const result = await load(gateway.url, CANNON_S);
  const report = await ask<PluginReport>(gateway.child, 'report', 'report');
  const model = report.byPath.model ?? 0;
  const shed = report.reasons.ERR_AUTOFAS_OVERLOAD ?? 0;
  console.log(
    `${label}: ${f(result.requests.average, 1)} req/s, HTTP p50 ${result.latency.p50} ms / p99 ${result.latency.p99} ms, ` +
      `plugin p50 ${f(report.pluginP50, 2)} / p99 ${f(report.pluginP99, 2)} ms, model path ${f((100 * model) / Math.max(1, report.requests), 1)}%, ` +
      `shed ${f((100 * shed) / Math.max(1, report.requests), 1)}%, paths ${JSON.stringify(report.byPath)}, p99 by path ${JSON.stringify(report.p99ByPath, (_, v) => (typeof v === 'number' ? Number(v.toFixed(2)) : v))}, reasons ${JSON.stringify(report.reasons)}, ` +
      `CPU ${f(report.cpuMsPerRequest, 2)} ms/request, non-2xx ${result.non2xx}, errors ${result.errors}`,
  );
  return { rps: result.requests.average, report };
}

/** A deadline no request reaches: the plugin arm then sheds nothing, and its throughput is the model path's own. */
const NO_SHEDDING_TIMEOUT_MS = 10_000;

async function withGateway<T>(name: 'plugin' | 'vector', candidates: number, timeoutMs: number, run: (g: { child: ChildProcess; url: string }) => Promise<T>): Promise<T> {
  const gateway = await startGateway(name, candidates, timeoutMs);
  try {
    return await run(gateway);
  } finally {
    const exited = new Promise((resolve) => gateway.child.once('exit', resolve));
    gateway.child.send('stop');
    await exited;
  }
}

/**
 * The model path's saturation throughput: the plugin arm at 50 connections with a deadline no request reaches. (At
 * `timeoutMs` 50 the arm's own throughput at saturation mixes in the cheaper shed requests, so 70% of it can exceed
 * what the model path sustains.)
 */
function modelCapacity(candidates: number): Promise<LoadResult> {
  const label = `gateway plugin, 50 connections, timeoutMs ${NO_SHEDDING_TIMEOUT_MS} (the model path's saturation: nothing is shed)`;
  return withGateway('plugin', candidates, NO_SHEDDING_TIMEOUT_MS, (g) => phase(g, label, cannon(50)));
}

async function arm(name: 'plugin' | 'vector', candidates: number): Promise<{ c10: LoadResult; c50: LoadResult; at70?: LoadResult; paced70?: LoadResult; capacity?: LoadResult }> {
  const capacity = name === 'plugin' ? await modelCapacity(candidates) : undefined;
  return withGateway(name, candidates, TIMEOUT_MS, async (gateway) => {
    const c10 = await phase(gateway, `gateway ${name}, 10 connections`, cannon(10));
    const c50 = await phase(gateway, `gateway ${name}, 50 connections (saturation)`, cannon(50));
    if (!capacity) return { c10, c50 };
    const rate = 0.7 * capacity.rps;
    const at70 = await phase(gateway, `gateway ${name}, 50 connections at 70% of the model path's saturation (${f(rate, 0)} req/s, autocannon bursts)`, cannon(50, rate));
    const paced70 = await phase(gateway, `gateway ${name}, 70% of the model path's saturation evenly spaced (${f(rate, 0)} req/s)`, paced(rate));
    return { c10, c50, at70, paced70, capacity };
  });
}

/** The load section: both arms at 10 and 50 connections, the plugin arm again at 70% of its saturation throughput. */
export async function loadSection(candidates: number): Promise<void> {
  console.log(`gateway under load: ${candidates} candidates a request, timeoutMs ${TIMEOUT_MS}, autocannon ${CANNON_S} s a phase, default pool and queue`);
  const plugin = await arm('plugin', candidates);
  const vector = await arm('vector', candidates);
  const at70 = plugin.at70 as LoadResult;
  const paced70 = plugin.paced70 as LoadResult;
  const share = (r: LoadResult): number => (100 * (r.report.byPath.model ?? 0)) / Math.max(1, r.report.requests);
  const shed = (r: LoadResult): number => (100 * (r.report.reasons.ERR_AUTOFAS_OVERLOAD ?? 0)) / Math.max(1, r.report.requests);
  console.log(`  at 70% of the model path's saturation (${f(plugin.capacity?.rps ?? 0, 1)} req/s with nothing shed), evenly spaced: ${f(share(paced70), 2)}% of plugin-arm requests on the model path (target >= 99%); in autocannon's per-second bursts: ${f(share(at70), 2)}%`);
  console.log(`  at saturation (50 connections): plugin p99 ${f(plugin.c50.report.pluginP99, 2)} ms (target <= timeoutMs + 2 = ${TIMEOUT_MS + 2}), shed ${f(shed(plugin.c50), 1)}%, model path ${f(share(plugin.c50), 1)}%`);
  console.log(`  plugin / vector throughput: ${f((100 * plugin.c10.rps) / vector.c10.rps, 1)}% at 10 connections, ${f((100 * plugin.c50.rps) / vector.c50.rps, 1)}% at 50`);
}
