// Redis down at start, down mid-traffic, slow, or holding values of the wrong type: every request still answers (vector fallback), failures are counted, reconnection is automatic.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { redisItemStore } from '../../src/serve/redis-item-store.js';
import type { RedisItemStore } from '../../src/serve/redis-item-store.js';
import type { PreRanker } from '../../src/serve/types.js';
import { redisServerAvailable, startRedisServer } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { recordingLogger, runOnce, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import type { TestArtifacts } from '../helpers/serve-app.js';
import { TEST_SPEC } from '../helpers/serve-models.js';

const skip = !redisServerAvailable();
let server: RedisServer;
let paths: TestArtifacts;
before(async () => {
  if (skip) return;
  [server, paths] = await Promise.all([startRedisServer(), writeTestArtifacts()]);
});
after(() => server?.cleanup());

/** A pre-ranker on a Redis store under `prefix` (item_price loaded for i0..i99), no item cache, so every request reads Redis. */
async function serving(prefix: string, load = true): Promise<{ store: RedisItemStore; preRanker: PreRanker; close(): Promise<void> }> {
  if (load) await server.command('HSET', `${prefix}item:item_price`, ...Array.from({ length: 100 }, (_, i) => [`i${i}`, String(i / 10)]).flat());
  const store = await redisItemStore({ url: server.url, featureSpec: TEST_SPEC, keyPrefix: prefix, maxReconnectDelayMs: 100, commandTimeoutMs: 500, logger: recordingLogger() });
  const preRanker = await testPreRanker(paths, { itemStore: store, itemCacheSize: 0, timeoutMs: 1000 }); // generous: a loaded CI box must not time out the healthy requests
  return { store, preRanker, close: async () => void (await Promise.all([preRanker.close(), store.close()])) };
}

const ready = (store: RedisItemStore): Promise<void> => new Promise((resolve) => (store.ready() ? resolve() : store.events.once('ready', resolve)));

async function expectPath(preRanker: PreRanker, path: string, reason?: string): Promise<void> {
  const { preRank } = await runOnce(preRanker, testSearch(50));
  assert.equal(preRank.path, path);
  assert.equal(preRank.fallbackReason, reason);
}

test('Redis down at start: requests fall back to the vector scorer, then the store reconnects by itself', { skip, timeout: 20_000 }, async () => {
  await server.stop();
  const { store, preRanker, close } = await serving('down-at-start:', false);
  try {
    await expectPath(preRanker, 'vector', 'ERR_AUTOFAS_STORE');
    assert.ok(store.stats().failures.unavailable >= 1);
    assert.equal(preRanker.stats().fallbacks.ERR_AUTOFAS_STORE, 1);
    await server.restart();
    await ready(store);
    await expectPath(preRanker, 'model');
  } finally {
    await close();
  }
});

test('Redis down mid-traffic: fallback while it is down, the model again once it is back', { skip, timeout: 20_000 }, async () => {
  const { store, preRanker, close } = await serving('mid:');
  try {
    await ready(store);
    await expectPath(preRanker, 'model');
    const down = new Promise((resolve) => store.events.once('failure', resolve));
    await server.stop();
    await expectPath(preRanker, 'vector', 'ERR_AUTOFAS_STORE');
    await down;
    await server.restart();
    await server.command('HSET', 'mid:item:item_price', 'i0', '1');
    await ready(store);
    await expectPath(preRanker, 'model');
    assert.ok(store.stats().failures.unavailable >= 1);
  } finally {
    await close();
  }
});

test('Redis slow: the request answers by the fallback before Redis does; the late command is counted', { skip, timeout: 20_000 }, async () => {
  const { store, preRanker, close } = await serving('slow:');
  try {
    await ready(store);
    // A frozen process holds every command until it is thawed: the stall lasts as long as the test wants, on any machine.
    server.freeze();
    let stalled = true;
    const resumed = server.command('PING').then(() => void (stalled = false));
    await expectPath(preRanker, 'vector', 'ERR_AUTOFAS_STORE');
    assert.ok(stalled, 'the request answered while Redis was still holding commands');
    server.thaw();
    await resumed;
    assert.ok(store.stats().failures.timeout >= 1, 'the command past commandTimeoutMs is counted');
    await expectPath(preRanker, 'model');
  } finally {
    await close();
  }
});

test('wrong value types: a key of another type and a value that is not a number both fall back and are counted', { skip }, async () => {
  const { store, preRanker, close } = await serving('types:', false);
  try {
    await ready(store);
    await server.command('SET', 'types:item:item_price', 'not a hash');
    await expectPath(preRanker, 'vector', 'ERR_AUTOFAS_STORE');
    assert.equal(store.stats().failures.reply, 1, 'WRONGTYPE');
    await server.command('DEL', 'types:item:item_price');
    await server.command('HSET', 'types:item:item_price', 'i3', 'abc');
    await expectPath(preRanker, 'vector', 'ERR_AUTOFAS_STORE');
    assert.equal(store.stats().failures.value, 1);
    assert.equal(preRanker.stats().fallbacks.ERR_AUTOFAS_STORE, 2);
  } finally {
    await close();
  }
});
