// Child process of the serving benchmark: the demo gateway on a random port (arm from SERVE_ARM: plugin or vector).
import type { AddressInfo } from 'node:net';
import { createGatewayApp } from '../examples/gateway/app.js';

const gateway = await createGatewayApp({
  candidates: Number(process.env.SERVE_CANDIDATES ?? 1000),
  arm: process.env.SERVE_ARM === 'vector' ? 'vector' : 'plugin',
  preRank: { workers: Number(process.env.SERVE_WORKERS ?? 1), logger: { warn: () => {} } },
});
const server = gateway.app.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
let cpuStart = process.cpuUsage();
let requestsStart = 0;
process.on('message', (msg) => {
  if (msg === 'mark') {
    cpuStart = process.cpuUsage();
    requestsStart = gateway.preRanker.stats().requests;
    return void process.send?.({ marked: true });
  }
  if (msg !== 'stop') return;
  const stats = gateway.preRanker.stats();
  const cpu = process.cpuUsage(cpuStart);
  const cpuMsPerRequest = (cpu.user + cpu.system) / 1000 / Math.max(1, stats.requests - requestsStart);
  server.close();
  void gateway.close().then(() => process.send?.({ stats: { byPath: stats.byPath, fallbacks: stats.fallbacks, cpuMsPerRequest: Number(cpuMsPerRequest.toFixed(2)) } }, () => process.exit(0)));
});
