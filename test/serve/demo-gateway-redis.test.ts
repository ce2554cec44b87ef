// The demo gateway on Redis (REDIS_URL, after `autofas store load` of the fixture logs) answers as it does on the in-memory store.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { createGatewayApp } from '../../examples/gateway/app.js';
import type { Gateway } from '../../examples/gateway/app.js';
import { runStoreLoad } from '../../src/cli/store-command.js';
import { commandCalls, redisServerAvailable, startRedisServer } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';

const WORLD = fileURLToPath(new URL('../../../fixtures/world/', import.meta.url));
const skip = !redisServerAvailable();
let server: RedisServer;
const gateways: Gateway[] = [];
before(async () => {
  if (skip) return;
  server = await startRedisServer();
  await runStoreLoad({ features: `${WORLD}features.json`, logs: [`${WORLD}logs.jsonl.gz`], redis: server.url, prefix: 'autofas:', quiet: true }, () => undefined);
});
after(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await server?.cleanup();
});

// The bundled searched model reads only cross store features (computed per request by the world); the vector baseline
// reads the five item store features, which come from Redis here.
test('the same request gets the same answer from the demo on Redis as on the in-memory store (vector arm: item features from Redis)', { skip }, async () => {
  const options = { candidates: 500, arm: 'vector' as const, preRank: { workers: 1, timeoutMs: 10_000 } };
  const [memory, redis] = await Promise.all([createGatewayApp(options), createGatewayApp({ ...options, redisUrl: server.url })]);
  gateways.push(memory, redis);
  const body = { user_id: 'user-0001', query: 'query-042', k: 5 };
  const hmget = await commandCalls(server, 'hmget');
  const [a, b] = [await request(memory.app).post('/search').send(body), await request(redis.app).post('/search').send(body)];
  assert.equal(b.body.preRank.path, 'vector');
  assert.ok((await commandCalls(server, 'hmget')) > hmget, 'the Redis gateway read Redis');
  assert.deepEqual(b.body.results, a.body.results);
});
