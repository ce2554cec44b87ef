// Child process of the serving benchmark: the demo gateway (explicit options) on a random port; reports what the plugin saw.
import type { AddressInfo } from 'node:net';
import { createGatewayApp } from '../examples/gateway/app.js';
import type { PreRankRecord } from '../src/index.js';
import { pct } from './serve-stats.js';

const gateway = await createGatewayApp({
  candidates: Number(process.env.SERVE_CANDIDATES ?? 1000),
  arm: process.env.SERVE_ARM === 'vector' ? 'vector' : 'plugin',
  // Pool size and queue bound are left at their machine defaults (os.availableParallelism()).
  preRank: { timeoutMs: Number(process.env.SERVE_TIMEOUT_MS ?? 50), logger: { warn: () => {} } },
});
const server = gateway.app.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
let cpuStart = process.cpuUsage();
let records: PreRankRecord[] = [];
gateway.preRanker.events.on('request', (r) => void records.push(r));

/** What the plugin saw since the last mark: its own latency, paths and fallback reasons. */
function report(): Record<string, unknown> {
  const cpu = process.cpuUsage(cpuStart);
  const latency = (of: readonly PreRankRecord[], p: number): number => (of.length === 0 ? 0 : pct(of.map((r) => r.latencyMs), p));
  const p99ByPath: Record<string, number> = {};
  for (const path of new Set(records.map((r) => r.path))) p99ByPath[path] = latency(records.filter((r) => r.path === path), 0.99);
  const count = (pick: (r: PreRankRecord) => string | undefined): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const r of records) {
      const key = pick(r);
      if (key) out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  };
  return {
    requests: records.length,
    pluginP50: latency(records, 0.5),
    pluginP99: latency(records, 0.99),
    p99ByPath,
    byPath: count((r) => r.path),
    reasons: count((r) => r.fallbackReason),
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, records.length),
  };
}

process.on('message', (msg) => {
  if (msg === 'mark') {
    cpuStart = process.cpuUsage();
    records = [];
    return void process.send?.({ marked: true });
  }
  if (msg === 'report') return void process.send?.({ report: report() });
  if (msg !== 'stop') return;
  server.close();
  void gateway.close().then(() => process.exit(0));
});
