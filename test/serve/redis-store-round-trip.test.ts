// Every feature type round-trips through `autofas store load` and `redisItemStore` on a real redis-server, in one round trip per request.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runStoreLoad } from '../../src/cli/store-command.js';
import type { FeatureSpec } from '../../src/schema/feature-spec.js';
import { redisItemStore } from '../../src/serve/redis-item-store.js';
import type { RedisItemStore } from '../../src/serve/redis-item-store.js';
import { commandCalls, redisServerAvailable, startRedisServer } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { recordingLogger, runOnce, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import { TEST_SPEC, testStoreData } from '../helpers/serve-models.js';

const skip = !redisServerAvailable();
const SPEC: FeatureSpec = {
  version: 1,
  features: [
    { name: 'price', side: 'item', source: 'store', type: 'numeric' },
    { name: 'brand', side: 'item', source: 'store', type: 'categorical', hashBuckets: 64 },
    { name: 'shelf', side: 'item', source: 'store', type: 'categorical', vocab: [1, 2, 3] },
    { name: 'vec', side: 'item', source: 'store', type: 'vector', dim: 4 },
    { name: 'clicks', side: 'cross', source: 'store', type: 'numeric' },
  ],
};

let server: RedisServer;
let dir: string;
const stores: RedisItemStore[] = [];
before(async () => {
  if (skip) return;
  server = await startRedisServer();
  dir = mkdtempSync(join(tmpdir(), 'autofas-redis-rt-'));
});
after(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await server?.cleanup();
});

async function open(spec: FeatureSpec, extra: Record<string, unknown> = {}): Promise<RedisItemStore> {
  const store = await redisItemStore({ url: server.url, featureSpec: spec, logger: recordingLogger(), ...extra });
  stores.push(store);
  await new Promise<void>((resolve) => (store.ready() ? resolve() : store.events.once('ready', resolve)));
  return store;
}

function writeLog(name: string, records: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n'));
  return path;
}

test('store load writes the latest value per item; numeric, categorical and vector values come back as written', { skip }, async () => {
  const features = join(dir, 'features.json');
  writeFileSync(features, JSON.stringify(SPEC));
  const old = { item_id: 'a', features: { price: 1, brand: 'old', shelf: 1, vec: [0, 0, 0, 0] }, teacher_score: 0 };
  const a = { item_id: 'a', features: { price: 12.345678901, brand: 'acme', shelf: 3, vec: [0.1, -2.5, 1e-3, 7] }, teacher_score: 1 };
  const b = { item_id: 'b', features: { price: -0.5, brand: 'b&co ü' }, teacher_score: 0 };
  const logs = writeLog('logs.jsonl', [{ request_id: 'r1', context: {}, candidates: [old] }, { request_id: 'r2', context: {}, candidates: [a, b] }]);
  const lines: string[] = [];
  const loaded = await runStoreLoad({ features, logs: [logs], redis: server.url, prefix: 'autofas:' }, (l) => lines.push(l));
  assert.deepEqual(loaded, { items: 2, values: 6 });
  assert.match(lines.at(-1) as string, /loaded 2 items \(6 values/);

  const store = await open(SPEC);
  const rows = await store.get(['a', 'b', 'unknown'], ['price', 'brand', 'shelf', 'vec'], {});
  assert.equal(rows[0]?.price, 12.345678901, 'numbers keep every digit (shortest decimal form)');
  assert.equal(rows[0]?.brand, 'acme');
  assert.equal(rows[0]?.shelf, '3', 'integer categories come back as their string form, which the encoder indexes alike');
  assert.deepEqual(Array.from(rows[0]?.vec as ArrayLike<number>), Array.from(Float32Array.from([0.1, -2.5, 1e-3, 7])), 'vectors are float32');
  assert.deepEqual(rows[1], { price: -0.5, brand: 'b&co ü' }, 'features the log did not carry stay missing (defaults apply)');
  assert.equal(rows[2], undefined, 'an unknown item is undefined');
  assert.deepEqual(await store.get([], ['price'], {}), [], 'no candidates, no command (HMGET needs a field)');
});

test('cross features are keyed by the context fields in crossKeys', { skip }, async () => {
  await server.command('HSET', 'autofas:cross:clicks:u1', 'a', '4');
  const store = await open(SPEC, { crossKeys: { clicks: ['user_id'] } });
  assert.deepEqual(await store.get(['a', 'b'], ['clicks'], { user_id: 'u1' }), [{ clicks: 4 }, undefined]);
  assert.deepEqual(await store.get(['a'], ['clicks'], { user_id: 'u2' }), [undefined], 'another user has no value');
});

test('one get is one round trip with one HMGET per feature, whatever the number of candidates', { skip }, async () => {
  const store = await open(SPEC, { crossKeys: { clicks: ['user_id'] } });
  const ids = Array.from({ length: 500 }, (_, i) => `id${i}`);
  const before = { hmget: await commandCalls(server, 'hmget'), trips: store.stats().roundTrips };
  await store.get(ids, ['price', 'brand', 'vec', 'clicks'], { user_id: 'u1' });
  assert.equal((await commandCalls(server, 'hmget')) - before.hmget, 4, 'the server ran 4 HMGETs for 500 candidates');
  assert.equal(store.stats().roundTrips - before.trips, 1);
  // The plugin asks item features (cached) and cross features (per request) in the same tick: they share the pipeline.
  await Promise.all([store.get(ids, ['price'], {}), store.get(ids, ['clicks'], { user_id: 'u1' })]);
  assert.equal(store.stats().roundTrips - before.trips, 2);
});

test('through the plugin: one round trip per request, only the model\'s features, LRU in front', { skip }, async () => {
  const paths = await writeTestArtifacts();
  const data = testStoreData(400);
  await server.command('HSET', 'autofas:item:item_price', ...[...data].flatMap(([id, row]) => [id, String(row.item_price)]));
  const store = await open(TEST_SPEC);
  const preRanker = await testPreRanker(paths, { itemStore: store, baseline: undefined });
  try {
    const hmget = await commandCalls(server, 'hmget');
    const first = await runOnce(preRanker, testSearch(300));
    assert.equal(first.preRank.path, 'model');
    assert.equal(store.stats().roundTrips, 1);
    assert.equal((await commandCalls(server, 'hmget')) - hmget, 1, 'only item_price (the model does not read unused_ctr)');
    await runOnce(preRanker, testSearch(300));
    assert.equal(store.stats().roundTrips, 1, 'the second request is answered by the LRU');
  } finally {
    await preRanker.close();
  }
});
