// Derive: argmax alpha, theta threshold, and greedy repairs that always land under the budget.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Feature } from '../../src/schema/feature-spec.js';
import { derive } from '../../src/search/derive/derive.js';
import { LatencyModel } from '../../src/search/latency/latency-model.js';
import { LatencyLookup, loadLatencyTable } from '../../src/search/latency/latency-table.js';
import type { OpConfig } from '../../src/search/model/mixop.js';

const FEATURES: Feature[] = [
  { name: 'u', side: 'context', type: 'numeric', source: 'request', costUs: 1 },
  { name: 'cheap', side: 'item', type: 'numeric', source: 'request', costUs: 2 },
  { name: 'pricey', side: 'item', type: 'numeric', source: 'store', costUs: 300 },
  { name: 'noise', side: 'item', type: 'numeric', source: 'store', costUs: 50 },
];
const OPS: OpConfig[] = [{ kind: 'dense', width: 256 }, { kind: 'dense', width: 64 }, { kind: 'identity' }];

async function setup() {
  const lookup = new LatencyLookup(await loadLatencyTable());
  const mixops = [OPS.slice(0, 2), OPS, OPS];
  const latency = new LatencyModel(FEATURES.map((f) => ({ name: f.name, source: f.source, side: f.side, us: f.costUs ?? 0, width: 1 })), mixops, lookup, 5, 1000);
  const input = {
    features: FEATURES,
    theta: [0.9, 0.8, 0.95, 0.2],
    mixops: [
      { ops: mixops[0], probs: [0.7, 0.3] },
      { ops: mixops[1], probs: [0.1, 0.6, 0.3] },
      { ops: mixops[2], probs: [0.1, 0.2, 0.7] },
    ],
    latency,
    keepThreshold: 0.5,
    embeddingDim: 8,
  };
  return input;
}

test('without a budget: argmax operators (identity skipped) and the features over the threshold', async () => {
  const d = derive(await setup());
  assert.deepEqual(d.architecture.layers, [256, 64]);
  assert.deepEqual(d.architecture.features, ['u', 'cheap', 'pricey']);
  assert.deepEqual(d.repairs, []);
});

test('with a budget the repairs bring the table latency under it', async () => {
  const input = await setup();
  const loose = derive(input);
  for (const budgetUs of [loose.totalUs - 1, 600, 400, 300]) {
    const d = derive({ ...input, budgetUs });
    assert.ok(d.totalUs <= budgetUs, `${d.totalUs} > ${budgetUs} after ${d.repairs.join('; ')}`);
    assert.ok(d.repairs.length > 0);
    assert.ok(d.architecture.features.some((f) => f !== 'u'), 'an item feature is always kept');
  }
});

test('an impossible budget leaves the cheapest derivable model, which the result reports as over budget', async () => {
  const d = derive({ ...(await setup()), budgetUs: 10 });
  assert.ok(d.totalUs > 10);
  assert.deepEqual(d.architecture.layers, [64]);
  assert.equal(d.architecture.features.length, 1);
});

test('over the budget the network gives way before a kept feature that fits with a smaller network', async () => {
  // Argmax 64-64; pricey barely passed the threshold, so by latency saved per unit of theta it would go first.
  const base = await setup();
  const input = { ...base, theta: [0.9, 0.8, 0.51, 0.2], mixops: [{ ...base.mixops[0], probs: [0.3, 0.7] }, base.mixops[1], base.mixops[2]] };
  assert.deepEqual(derive(input).architecture.layers, [64, 64]);
  // A budget the kept features fit with one 64-wide layer, not with two.
  const budgetUs = input.latency.derivedUs(new Set(['u', 'cheap', 'pricey']), [64]).totalUs + 1;
  assert.ok(derive(input).totalUs > budgetUs);
  const d = derive({ ...input, budgetUs });
  assert.deepEqual(d.architecture.features, ['u', 'cheap', 'pricey'], `repairs: ${d.repairs.join('; ')}`);
  assert.deepEqual(d.architecture.layers, [64]);
  const onlyNetwork = derive({ ...input, budgetUs: 10, networkOnly: true });
  assert.deepEqual(onlyNetwork.architecture.features, ['u', 'cheap', 'pricey'], 'networkOnly never drops a feature');
});
