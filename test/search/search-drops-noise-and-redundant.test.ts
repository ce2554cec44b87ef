// The search keeps informative features and drops the fixture's costly pure-noise features and its redundant copy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectedFeatureUs } from '../../src/search/latency-model.js';
import { loadLatencyTable } from '../../src/search/latency-table.js';
import { runSearch } from '../../src/search/search.js';
import { fixtureDataset, NOISE, REDUNDANT } from './search-helpers.js';

test('a budgeted search on the fixture world drops every noise feature that costs latency and the redundant copy', async () => {
  const dataset = await fixtureDataset();
  const result = await runSearch(dataset, { budgetUs: 800, epochs: 8, retrainEpochs: 2, widths: [128, 64, 32], seed: 1 });
  const kept = result.derived.architecture.features;
  assert.ok(!kept.includes(REDUNDANT[0]), `${REDUNDANT[0]} should be dropped, kept: ${kept.join(', ')}`);
  assert.ok(kept.includes('item_popularity') && kept.includes('user_cat_clicks'), `informative features kept: ${kept.join(', ')}`);
  assert.deepEqual(result.history.derived.redundant?.map((r) => r.feature), REDUNDANT);
  // Under Eq. 3-4 (beta inside the per-source max) a cheap request feature is free while the store source dominates;
  // on this 48-request world some request-side noise lowers the held-out loss (a proxy of recurring users) and may
  // stay. Every noise feature that is kept must therefore add nothing to the feature cost; the others are dropped.
  const beta = (await loadLatencyTable()).inputUs;
  const spec = dataset.spec.features;
  const featureUs = (names: readonly string[]) => {
    const used = spec.filter((f) => names.includes(f.name)).map((f) => ({ source: f.source, us: f.costUs ?? 0 }));
    return expectedFeatureUs(used, used.map(() => 1), beta).us;
  };
  for (const name of NOISE.filter((n) => kept.includes(n))) {
    assert.equal(featureUs(kept.filter((k) => k !== name)), featureUs(kept), `${name} is kept and costs latency`);
  }
  // The keep-probabilities of the noise features that would cost latency (store side) end low.
  const theta = result.history.epochs.at(-1)?.theta ?? {};
  for (const f of spec.filter((x) => NOISE.includes(x.name) && x.source === 'store')) assert.ok(theta[f.name] < 0.5, `theta(${f.name}) = ${theta[f.name]}`);
});
