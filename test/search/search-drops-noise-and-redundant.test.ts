// The search keeps informative features and drops the fixture's pure-noise features and its redundant copy, on the
// table clock (a measured ORT run would make a budgeted result depend on the test machine's load).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findRedundant } from '../../src/search/data/redundancy.js';
import type { Dataset } from '../../src/search/data/dataset-types.js';
import { runSearch } from '../../src/search/search/run-search.js';
import { createRng } from '../../src/util/random.js';
import { fixtureDataset, NOISE, REDUNDANT, tableClock } from './search-helpers.js';

const search = (dataset: Dataset, budgetUs = 800) =>
  runSearch(dataset, { budgetUs, epochs: 8, retrainEpochs: 2, widths: [128, 64, 32], seed: 1, measureNetworkUs: tableClock() });

test('a budgeted search on the fixture world drops every noise feature; the pre-pass drops the exact copy', async () => {
  const dataset = await fixtureDataset();
  const result = await search(dataset);
  const kept = result.derived.architecture.features;
  for (const name of [...NOISE, ...REDUNDANT]) assert.ok(!kept.includes(name), `${name} should be dropped, kept: ${kept.join(', ')}`);
  assert.ok(kept.includes('item_popularity') && kept.includes('user_cat_clicks'), `informative features kept: ${kept.join(', ')}`);
  assert.deepEqual(result.history.derived.redundant?.map((r) => r.feature), REDUNDANT);
  // The final keep-probabilities of the noise features are low.
  const theta = result.history.epochs.at(-1)?.theta ?? {};
  for (const name of NOISE) assert.ok(theta[name] < 0.5, `theta(${name}) = ${theta[name]}`);
});

/** The fixture world with the redundant copy blurred (|r| below the pre-pass threshold): the search alone must drop it. */
function withBlurredCopy(dataset: Dataset): Dataset {
  const rng = createRng(7);
  const copy = dataset.columns.get(REDUNDANT[0]) as Float32Array;
  let sum = 0;
  let sq = 0;
  for (const v of copy) (sum += v), (sq += v * v);
  const std = Math.sqrt(Math.max(sq / copy.length - (sum / copy.length) ** 2, 1e-12));
  const blurred = Float32Array.from(copy, (v) => v + 0.22 * std * rng.normal());
  return { ...dataset, columns: new Map([...dataset.columns, [REDUNDANT[0], blurred]]) };
}

// The supernet's weights learn to read the blurred copy (dropping it as trained costs 3% of the loss); derive drops it
// once the weights have adapted to doing without it (src/search/derive/adapt.ts), under a binding 450 µs budget.
test('a copy the correlation pre-pass lets through is dropped by the search itself', async () => {
  const dataset = withBlurredCopy(await fixtureDataset());
  assert.deepEqual(findRedundant(dataset, dataset.spec.features), [], 'the blurred copy passes the pre-pass');
  const kept = (await search(dataset, 450)).derived.architecture.features;
  assert.ok(!kept.includes(REDUNDANT[0]), `${REDUNDANT[0]} should be dropped, kept: ${kept.join(', ')}`);
  assert.ok(kept.includes('item_popularity'), `the cheaper original is kept: ${kept.join(', ')}`);
});
