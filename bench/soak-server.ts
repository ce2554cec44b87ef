// Child process of the soak benchmark: a gateway (matching -> pre-ranker -> echo) with the admin router, on a random port.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { preRankAdmin } from '../src/serve/admin.js';
import { memoryItemStore } from '../src/serve/item-store.js';
import { preRankMetrics } from '../src/serve/metrics.js';
import { createPreRanker } from '../src/serve/pre-ranker.js';
import type { Candidate } from '../src/serve/types.js';
import { testCandidates, testContext, testStoreData } from '../test/helpers/serve-models.js';

const root = process.env.SOAK_ROOT as string;
const candidates = Number(process.env.SOAK_CANDIDATES ?? 1000);
const CATALOGUE = 5000;
export const SOAK_TOKEN = 'soak-bench-token-0123456789';

const catalogue = testCandidates(CATALOGUE, 5);
const contexts = Array.from({ length: 64 }, (_, i) => testContext(i));

const preRanker = await createPreRanker({
  model: `${root}/model`,
  baseline: `${root}/baseline`,
  k: 50,
  maxCandidates: candidates,
  workers: Number(process.env.SOAK_WORKERS ?? 1),
  itemStore: memoryItemStore(testStoreData(CATALOGUE)),
  logger: { warn: (message) => process.stderr.write(`[soak-server] ${message}\n`) },
});
const metrics = preRankMetrics(preRanker);
let seq = 0;
const app = express();
app.post('/search', function matching(_req, res, next) {
  const q = seq++;
  const start = (q * 997) % (CATALOGUE - candidates + 1);
  // Fresh candidate objects per request, as a matching hop would hand them over.
  const picked: Candidate[] = catalogue.slice(start, start + candidates).map((c) => ({ item_id: c.item_id, features: c.features }));
  res.locals.search = { context: contexts[q % contexts.length], candidates: picked };
  next();
}, preRanker, (_req, res) => {
  res.json({ modelId: res.locals.preRank?.modelId, path: res.locals.preRank?.path, ids: res.locals.search?.candidates.map((c: Candidate) => c.item_id) });
});
app.use('/admin', preRankAdmin(preRanker, { token: SOAK_TOKEN, modelsRoot: root, metrics }));
app.get('/bench/mem', (_req, res) => {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  res.json({ ...process.memoryUsage(), stats: preRanker.stats() });
});
const server = app.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on('message', async (msg) => {
  if (msg === 'stop') {
    server.close();
    await preRanker.close();
    process.exit(0);
  }
});
