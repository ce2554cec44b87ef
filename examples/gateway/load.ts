// `npm run demo:load`: random users and queries against the demo for $DURATION seconds (default 30) at $RATE requests/s
// (default 40, evenly spaced; 0 = flat out), then the share each arm served and how much of it the model scored.
import { createRequire } from 'node:module';
import { pacedLoad } from './paced-load.js';

interface CannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Cannon = (opts: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const base = process.env.URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const randomSearch = (): string =>
  JSON.stringify({ user_id: `user-${pad(Math.floor(Math.random() * 2000), 4)}`, query: `query-${pad(Math.floor(Math.random() * 400), 3)}` });

type Status = { arms: { arm: string; requests: number; pathShare: Record<string, number> }[] };
type ArmCount = { requests: number; model: number };
const armCounts = async (): Promise<Map<string, ArmCount>> =>
  new Map(((await (await fetch(`${base}/autofas/status.json`)).json()) as Status).arms.map((a) => [a.arm, { requests: a.requests, model: Math.round(a.requests * (a.pathShare.model ?? 0)) }]));

const before = await armCounts();
const rate = Number(process.env.RATE ?? 40);
const durationS = Number(process.env.DURATION ?? 30);
const result = rate > 0 ? await pacedLoad(`${base}/search`, rate, durationS, randomSearch) : await autocannon({
  // RATE=0: flat out (closed loop, CONNECTIONS at once), where event-loop lag, not the model, decides the deadline.
  url: base,
  connections: Number(process.env.CONNECTIONS ?? 8),
  duration: durationS,
  requests: [{ method: 'POST', path: '/search', headers: { 'content-type': 'application/json' }, setupRequest: (req: object) => ({ ...req, body: randomSearch() }) }],
});
console.log(`${result.requests.total} requests, ${result.requests.average} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`);
const after = await armCounts();
const served = [...after].map(([arm, n]) => [arm, n.requests - (before.get(arm)?.requests ?? 0), n.model - (before.get(arm)?.model ?? 0)] as const);
const total = served.reduce((sum, [, n]) => sum + n, 0);
for (const [arm, n, model] of served) {
  console.log(`  arm ${arm.padEnd(8)} ${String(n).padStart(6)} requests (${((100 * n) / Math.max(1, total)).toFixed(1)}%), ${((100 * model) / Math.max(1, n)).toFixed(1)}% on the model path`);
}
