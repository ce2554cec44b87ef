// Serving benchmark, store rows: plugin request time at 1000 candidates on the in-memory store and on a real Redis, item cache cold and warm, in one run.
import { loadavg } from 'node:os';
import type { Request, Response } from 'express';
import { defaultBaseline } from '../examples/gateway/app.js';
import { worldHops } from '../examples/gateway/world-hops.js';
import type { WorldHops } from '../examples/gateway/world-hops.js';
import { openCliRedis } from '../src/cli/store-command.js';
import { storeItemFeatures, writeItemValues } from '../src/cli/store-load.js';
import type { StoreValues } from '../src/cli/store-load.js';
import { createPreRanker, memoryItemStore, redisItemStore } from '../src/index.js';
import type { ItemFeatures, ItemStore, PreRanker, SearchState } from '../src/index.js';
import type { RedisItemStore } from '../src/serve/redis-item-store.js';
import { encodeStoreValue } from '../src/serve/redis-layout.js';
import { redisServerAvailable, startRedisServer } from '../test/helpers/redis-server.js';
import { f, pct } from './serve-stats.js';

const N = 1000;
const ITERS = Number(process.env.SERVE_ITERS ?? 300);

/** The world's store item features of every item, as rows (memory store) and as encoded values (Redis). */
async function itemRows(hops: WorldHops): Promise<{ rows: Map<string, ItemFeatures>; values: StoreValues }> {
  const features = storeItemFeatures(hops.world.spec);
  const ids = hops.world.items.ids;
  const got = await hops.store.get(ids, features.map((x) => x.name), {});
  const rows = new Map<string, ItemFeatures>();
  const values: StoreValues = new Map();
  ids.forEach((id, i) => {
    const row = Object.fromEntries(features.map((x) => [x.name, ArrayBuffer.isView(got[i]?.[x.name]) ? Array.from(got[i]?.[x.name] as unknown as Float32Array) : got[i]?.[x.name]]));
    rows.set(id, row as ItemFeatures);
    values.set(id, new Map(features.map((x) => [x.name, encodeStoreValue(x, row[x.name] as never)])));
  });
  return { rows, values };
}

function runOnce(preRanker: PreRanker, search: SearchState): Promise<Record<string, unknown>> {
  const res = { locals: { search } } as unknown as Response;
  return new Promise((resolve) => preRanker({} as Request, res, () => resolve(res.locals.preRank as unknown as Record<string, unknown>)));
}

/** ITERS requests over 50 user x query pairs; the model is the vector baseline, which reads five item store features. */
async function row(label: string, hops: WorldHops, store: ItemStore, cache: 'cold' | 'warm'): Promise<void> {
  const model = defaultBaseline() as string;
  const preRanker = await createPreRanker({ model, k: 100, workers: 1, timeoutMs: 10_000, itemStore: store, itemCacheSize: cache === 'cold' ? 0 : 100_000, logger: { warn: () => {} } });
  const pairs = Array.from({ length: 50 }, (_, r) => [hops.world.users.ids[(r * 37) % hops.world.users.ids.length], hops.world.queries.ids[(r * 11) % hops.world.queries.ids.length]]);
  const search = (r: number): SearchState => {
    const [u, q] = pairs[r % pairs.length];
    return { context: hops.context(u, q) as SearchState['context'], candidates: hops.match(u, q, N), unitId: u };
  };
  for (let r = 0; r < pairs.length; r++) await runOnce(preRanker, search(r)); // JIT, worker, and (warm) the LRU
  const total: number[] = [];
  const paths: Record<string, number> = {};
  const trips = (store as Partial<RedisItemStore>).stats?.().roundTrips ?? 0;
  for (let r = 0; r < ITERS; r++) {
    const start = performance.now();
    const record = await runOnce(preRanker, search(r));
    total.push(performance.now() - start);
    paths[record.path as string] = (paths[record.path as string] ?? 0) + 1;
  }
  await preRanker.close();
  const redis = (store as Partial<RedisItemStore>).stats ? `, Redis round trips/request ${f(((store as RedisItemStore).stats().roundTrips - trips) / ITERS)}` : '';
  console.log(`| ${label} | ${cache} | ${f(pct(total, 0.5))} | ${f(pct(total, 0.99))} | ${JSON.stringify(paths)}${redis} |`);
}

if (!redisServerAvailable()) {
  console.log('skipped: redis-server is not installed (apt-get install redis-server)');
} else {
  const hops = worldHops();
  const server = await startRedisServer();
  try {
    const { rows, values } = await itemRows(hops);
    const client = await openCliRedis(server.url);
    await writeItemValues(client, values, storeItemFeatures(hops.world.spec), 'autofas:');
    await client.quit();
    const redis = await redisItemStore({ url: server.url, featureSpec: hops.world.spec, resolveCross: hops.store });
    await new Promise<void>((resolve) => (redis.ready() ? resolve() : redis.events.once('ready', resolve)));
    console.log(`${N} candidates a request, ${ITERS} requests a row, model = the vector baseline (5 item store features), 1 worker; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log('| store | item cache | p50 ms | p99 ms | paths |\n|---|---|---|---|---|');
    const memory = memoryItemStore(rows);
    for (const cache of ['cold', 'warm'] as const) {
      await row('in-memory', hops, memory, cache);
      await row('Redis (loopback)', hops, redis, cache);
    }
    await redis.close();
  } finally {
    await server.cleanup();
  }
}
