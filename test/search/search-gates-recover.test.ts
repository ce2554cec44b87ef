// Gates that can come back: a useful feature pushed off by a burst of latency pressure returns once it stops.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Lambda2Controller } from '../../src/search/latency/budget.js';
import { loadLatencyTable } from '../../src/search/latency/latency-table.js';
import { parseSearchOptions } from '../../src/search/search/config.js';
import { prepareSearch } from '../../src/search/search/run-search.js';
import { searchSupernet } from '../../src/search/search/search-loop.js';
import { crossWorld } from './search-helpers.js';

/** lambda2 = `high` for the first `steps` searching steps, then 0 (as when the budget is met from then on). */
function burst(high: number, steps: number): Lambda2Controller {
  let seen = 0;
  let value = 0;
  return {
    get value() {
      return value;
    },
    update() {
      value = seen++ < steps ? high : 0;
      return value;
    },
  };
}

test('the costly cross feature, pushed off by an epoch of latency pressure, comes back once the pressure is gone', async () => {
  const { dataset } = await crossWorld();
  const config = parseSearchOptions({ epochs: 6, warmupEpochs: 1, widths: [64, 32], mixops: 2, archLearningRate: 0.3, sparsity: 0, seed: 3 });
  const ctx = prepareSearch(dataset, config, await loadLatencyTable());
  const steps = Math.ceil(ctx.weights.rows / (config.requestsPerBatch * config.candidatesPerRequest));
  const epochs = await searchSupernet({
    supernet: ctx.supernet, train: ctx.weights, archTrain: ctx.arch, validation: ctx.splits.validation, latency: ctx.latency,
    lambda2: burst(50, steps), config, rng: ctx.rng.fork(), round: 1, started: Date.now(),
  });
  const theta = (epoch: number, name: string): number => epochs[epoch - 1].theta[name];
  for (const name of ['user_item_affinity', 'user_cat_clicks', 'cross_noise']) assert.ok(theta(2, name) < 0.1, `${name} pushed off: theta ${theta(2, name)}`);
  assert.ok(theta(6, 'user_item_affinity') > 0.9, `user_item_affinity back: theta ${theta(6, 'user_item_affinity')}`);
  assert.ok(theta(6, 'user_cat_clicks') > 0.5, `user_cat_clicks back: theta ${theta(6, 'user_cat_clicks')}`);
  assert.ok(theta(6, 'cross_noise') < 0.5, `pure noise stays off: theta ${theta(6, 'cross_noise')}`);
});
