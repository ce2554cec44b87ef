// The search keeps informative features and drops the fixture's pure-noise features and its redundant copy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSearch } from '../../src/search/search/run-search.js';
import { fixtureDataset, NOISE, REDUNDANT } from './search-helpers.js';

test('a budgeted search on the fixture world drops every noise feature and the redundant copy', async () => {
  const dataset = await fixtureDataset();
  const result = await runSearch(dataset, { budgetUs: 800, epochs: 8, retrainEpochs: 2, widths: [128, 64, 32], seed: 1 });
  const kept = result.derived.architecture.features;
  for (const name of [...NOISE, ...REDUNDANT]) assert.ok(!kept.includes(name), `${name} should be dropped, kept: ${kept.join(', ')}`);
  assert.ok(kept.includes('item_popularity') && kept.includes('user_cat_clicks'), `informative features kept: ${kept.join(', ')}`);
  assert.deepEqual(result.history.derived.redundant?.map((r) => r.feature), REDUNDANT);
  // The final keep-probabilities of the noise features are low.
  const theta = result.history.epochs.at(-1)?.theta ?? {};
  for (const name of NOISE) assert.ok(theta[name] < 0.5, `theta(${name}) = ${theta[name]}`);
});
