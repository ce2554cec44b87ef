// A tighter budget buys a cheaper model with fewer expensive features, and each derived model meets its budget.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSearch } from '../../src/search/search/run-search.js';
import { expensive, fixtureDataset, tableClock } from './search-helpers.js';

const SLOWER_US = 60;

test('tight vs loose budget: no costlier network, fewer expensive features, both within budget when measured', async () => {
  const dataset = await fixtureDataset();
  // The "measured" network time is the table's plus SLOWER_US, so meeting the budget as measured needs the second refinement.
  const run = (budgetUs: number) => runSearch(dataset, { budgetUs, epochs: 6, retrainEpochs: 1, widths: [128, 64, 32], seed: 2, measureNetworkUs: tableClock(SLOWER_US) });
  const tight = await run(450);
  const loose = await run(3000);
  const tightExpensive = expensive(dataset, tight.derived.architecture.features);
  const looseExpensive = expensive(dataset, loose.derived.architecture.features);
  assert.ok(tightExpensive.length < looseExpensive.length, `expensive: tight [${tightExpensive}] vs loose [${looseExpensive}]`);
  assert.ok(tight.derived.networkUs <= loose.derived.networkUs, `network: tight ${tight.derived.networkUs} vs loose ${loose.derived.networkUs}`);
  assert.ok(tight.derived.totalUs < loose.derived.totalUs);
  for (const [r, budget] of [[tight, 450], [loose, 3000]] as const) {
    assert.equal(r.card.latency.measuredUs, r.derived.fetchUs + r.derived.networkUs + SLOWER_US, 'measured = fetch + table network + slowdown');
    assert.ok((r.card.latency.measuredUs ?? Infinity) <= budget, `measured ${r.card.latency.measuredUs} > ${budget}`);
  }
});
