// `npm run demo:load`: random users and queries against the demo for $DURATION seconds (default 30), then the share each arm served.
import { createRequire } from 'node:module';

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

type Status = { arms: { arm: string; requests: number }[] };
const armCounts = async (): Promise<Map<string, number>> =>
  new Map(((await (await fetch(`${base}/autofas/status.json`)).json()) as Status).arms.map((a) => [a.arm, a.requests]));

const before = await armCounts();
const result = await autocannon({
  url: base,
  connections: Number(process.env.CONNECTIONS ?? 8),
  duration: Number(process.env.DURATION ?? 30),
  requests: [{ method: 'POST', path: '/search', headers: { 'content-type': 'application/json' }, setupRequest: (req: object) => ({ ...req, body: randomSearch() }) }],
});
console.log(`${result.requests.total} requests, ${result.requests.average} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`);
const after = await armCounts();
const served = [...after].map(([arm, n]) => [arm, n - (before.get(arm) ?? 0)] as const);
const total = served.reduce((sum, [, n]) => sum + n, 0);
for (const [arm, n] of served) console.log(`  arm ${arm.padEnd(8)} ${String(n).padStart(6)} requests (${((100 * n) / Math.max(1, total)).toFixed(1)}%)`);
