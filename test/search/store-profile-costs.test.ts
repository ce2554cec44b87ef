// `autofas profile --store` measures costs that follow the features' real size on a real redis-server; `search --costs` takes them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { openCliRedis } from '../../src/cli/store-command.js';
import { writeItemValues } from '../../src/cli/store-load.js';
import type { StoreValues } from '../../src/cli/store-load.js';
import { loadSpecWithCosts } from '../../src/schema/feature-costs.js';
import type { FeatureCosts } from '../../src/schema/feature-costs.js';
import type { FeatureSpec } from '../../src/schema/feature-spec.js';
import { parseModelCard } from '../../src/schema/model-card.js';
import { encodeStoreValue } from '../../src/serve/redis-layout.js';
import { redisServerAvailable, startRedisServer } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const skip = !redisServerAvailable();
const SPEC: FeatureSpec = {
  version: 1,
  features: [
    { name: 'price', side: 'item', source: 'store', type: 'numeric', costUs: 5 },
    { name: 'emb', side: 'item', source: 'store', type: 'vector', dim: 64, costUs: 5 },
    { name: 'pair', side: 'cross', source: 'store', type: 'numeric', costUs: 5 },
    { name: 'user_vec', side: 'context', source: 'store', type: 'vector', dim: 16, costUs: 5 },
    { name: 'query_len', side: 'context', source: 'request', type: 'numeric', costUs: 1 },
  ],
};

let server: RedisServer;
let dir: string;
before(async () => {
  if (skip) return;
  server = await startRedisServer();
  dir = mkdtempSync(join(tmpdir(), 'autofas-store-profile-'));
  writeFileSync(join(dir, 'features.json'), JSON.stringify(SPEC));
  const values: StoreValues = new Map();
  for (let i = 0; i < 1000; i++) {
    const emb = Array.from({ length: 64 }, (_, j) => Math.sin(i + j));
    values.set(`item-${i}`, new Map([['price', encodeStoreValue(SPEC.features[0], i / 7)], ['emb', encodeStoreValue(SPEC.features[1], emb)]]));
  }
  const client = await openCliRedis(server.url);
  await writeItemValues(client, values, SPEC.features.slice(0, 2), 'autofas:');
  await client.quit();
});
after(() => server?.cleanup());

test('profile --store: every store feature measured; a 64-d vector costs more than a scalar; probes removed', { skip }, async () => {
  const out = join(dir, 'costs.json');
  const args = ['profile', '--store', server.url, '--features', join(dir, 'features.json'), '--candidates', '1000', '--requests', '15', '--out', out];
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { spec, featureCosts } = await loadSpecWithCosts(join(dir, 'features.json'), out);
  const costs = JSON.parse(readFileSync(out, 'utf8')) as FeatureCosts;
  assert.deepEqual(Object.keys(costs.features).sort(), ['emb', 'pair', 'price', 'user_vec'], 'store features only');
  assert.equal(costs.features.emb.data, 'loaded');
  assert.equal(costs.features.pair.data, 'probe', 'a cross feature with no loaded data is measured on a spec-shaped probe');
  assert.equal(costs.features.emb.bytes, 1000 * 64 * 4);
  assert.equal(costs.features.user_vec.bytes, 16 * 4, 'a context feature is one value per request');
  // Sizes differ 40-fold (256 KB against about 6 KB per fetch): a robust order, not a timing threshold.
  assert.ok(costs.features.emb.p50Us > costs.features.price.p50Us, `emb ${costs.features.emb.p50Us} us vs price ${costs.features.price.p50Us} us`);
  assert.equal(await server.command('EXISTS', 'autofas:profile:pair', 'autofas:profile:user_vec'), ':0\r\n', 'probe keys deleted');

  assert.equal(spec.features.find((f) => f.name === 'emb')?.costUs, Math.round(costs.features.emb.p50Us * 10) / 10, 'search uses the measured p50');
  assert.equal(spec.features.find((f) => f.name === 'query_len')?.costUs, 1, 'request features keep their declared cost');
  assert.equal(featureCosts.source, 'measured');
  assert.equal(featureCosts.sha256?.length, 64);
});

test('search --costs refuses a costs file that misses a store feature; cards with and without a cost source parse', { skip }, async () => {
  const partial = join(dir, 'partial.json');
  const costs: FeatureCosts = {
    version: 1, store: 'redis://x', candidates: 1000, requests: 1, measuredAt: 'now', pingUs: { p50: 1, p99: 1 },
    features: { price: { side: 'item', data: 'loaded', bytes: 1, p50Us: 1, p99Us: 1 } },
  };
  writeFileSync(partial, JSON.stringify(costs));
  await assert.rejects(loadSpecWithCosts(join(dir, 'features.json'), partial), { code: 'ERR_AUTOFAS_FEATURE_SPEC', message: /emb was not measured/ });
  assert.deepEqual((await loadSpecWithCosts(join(dir, 'features.json'))).featureCosts, { source: 'declared' });
  const card = {
    version: 1, modelId: 'autofas-0123456789abcdef', kind: 'autofas', inputs: [{ feature: SPEC.features[0], input: 'price', dtype: 'float32', dims: ['N', 1] }],
    outputs: { score: 'score' }, architecture: {}, latency: { candidates: 1000 }, metrics: {},
    provenance: { logsHash: 'x', specHash: 'y', toolVersion: 'autofas/0.1.0', seed: 1, createdAt: 'now' },
  };
  assert.equal(parseModelCard(card).provenance.featureCosts, undefined, 'an older card without a cost source still parses');
  const measured = { ...card, provenance: { ...card.provenance, featureCosts: { source: 'measured', file: 'costs.json', statistic: 'p50' } } };
  assert.equal(parseModelCard(measured).provenance.featureCosts?.source, 'measured');
});
