// Feature choice under a budget: fills the budget with the best significant gains per us, pairs included, noise out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Feature } from '../../src/schema/feature-spec.js';
import { LatencyModel } from '../../src/search/latency/latency-model.js';
import { LatencyLookup, loadLatencyTable } from '../../src/search/latency/latency-table.js';
import { parseSearchOptions } from '../../src/search/search/config.js';
import { fillBudget } from '../../src/search/derive/prune-budget.js';
import type { PruneInput } from '../../src/search/derive/prune.js';
import type { Supernet } from '../../src/search/model/supernet.js';

const f = (name: string, side: Feature['side'], source: Feature['source'], costUs: number): Feature =>
  ({ name, side, type: 'numeric', source, costUs }) as Feature;
const FEATURES: Feature[] = [
  f('a', 'item', 'store', 100), f('b', 'item', 'store', 300), f('u', 'context', 'store', 150),
  f('v', 'item', 'store', 120), f('n', 'item', 'store', 20), f('c', 'item', 'request', 2),
];
/** Loss gain of each feature; u and v only help together. */
const VALUE: Record<string, number> = { a: 0.05, b: 0.02, c: 0.01 };
const BATCHES = 16;

/** Deterministic per-batch losses: 1 - gains, plus batch noise shared by every set and zero-mean jitter from n. */
async function loss(kept: ReadonlySet<string>): Promise<Float64Array> {
  let gain = 0;
  for (const [name, v] of Object.entries(VALUE)) if (kept.has(name)) gain += v;
  if (kept.has('u') && kept.has('v')) gain += 0.04;
  return Float64Array.from({ length: BATCHES }, (_, b) => 1 + 0.1 * Math.sin(b) - gain + (kept.has('n') ? 0.002 * (b % 2 ? 1 : -1) : 0));
}

async function input(kept: string[]): Promise<PruneInput> {
  const costs = FEATURES.map((x) => ({ name: x.name, source: x.source, side: x.side, us: x.costUs ?? 0, width: 1 }));
  const latency = new LatencyModel(costs, [], new LatencyLookup(await loadLatencyTable()), 10, 1000);
  const supernet = { features: FEATURES, theta: () => Float64Array.from(FEATURES, () => 0.5) } as unknown as Supernet;
  return { supernet, latency, layers: [32], kept: new Set(kept), lambda2: 0, data: undefined as never, config: parseSearchOptions({ sparsity: 0 }) };
}

const cost = async (kept: Iterable<string>) => (await input([])).latency.derivedUs(new Set(kept), [32]).totalUs;

test('a loose budget keeps every useful feature, adds the pair that only helps together, and drops noise', async () => {
  const { kept } = await fillBudget(await input(['a', 'n']), 5000, loss);
  assert.deepEqual([...kept].sort(), ['a', 'b', 'c', 'u', 'v']);
});

test('a binding budget keeps the best gains per us and stays within the budget', async () => {
  const budget = (await cost(['a', 'c'])) + 1;
  const { kept } = await fillBudget(await input(['a', 'b', 'u', 'v', 'n', 'c']), budget, loss);
  assert.deepEqual([...kept].sort(), ['a', 'c']);
  assert.ok((await cost(kept)) <= budget);
});

test('the same input gives the same choice and steps', async () => {
  const run = async () => fillBudget(await input(['b']), 5000, loss);
  assert.deepEqual((await run()).steps, (await run()).steps);
});

test('the masks complexity prior prices features of the non-binding source: a smaller gain is not kept or added', async () => {
  // At sparsity 1 the price of c (request, 2 us + beta 10) is 0.012 > its gain 0.01; b (store, the binding source)
  // competes for the budget instead and is still added.
  const base = await input(['a', 'c']);
  const { kept } = await fillBudget({ ...base, config: parseSearchOptions({ sparsity: 1 }) }, 5000, loss);
  assert.ok(!kept.has('c') && kept.has('b'), `kept: ${[...kept].join(', ')}`);
});

test('every candidate the choice evaluates is a try: accepted moves match the steps, the rest say why not', async () => {
  const budget = (await cost(['a', 'c'])) + 1;
  const { steps, tries } = await fillBudget(await input(['a', 'n']), budget, loss);
  const accepted = tries.filter((t) => t.result === 'added' || t.result === 'dropped').map((t) => t.feature);
  assert.deepEqual(accepted, steps.map((s) => s.feature));
  assert.ok(tries.some((t) => t.action === 'add' && t.feature === 'b' && t.result === 'over budget'), 'b (300 us) does not fit');
  assert.ok(tries.some((t) => t.action === 'drop' && t.feature === 'a' && t.result === 'kept'), 'a is worth keeping');
  assert.ok(tries.every((t) => t.result === 'over budget' || Number.isFinite(t.deltaLoss)), 'evaluated tries carry their loss change');
});
