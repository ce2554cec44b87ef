// A tighter budget buys a cheaper model with fewer expensive features, and each model meets its budget as measured.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSearch } from '../../src/search/search/run-search.js';
import { expensive, fixtureDataset, tableClock } from './search-helpers.js';

const SLOWER_US = 250;

test('tight vs loose budget: a cheaper model with fewer expensive features, both within budget when measured', async () => {
  const dataset = await fixtureDataset();
  // The "measured" network time is the table's plus SLOWER_US: the tight budget is missed as measured by the first
  // derived model, so the search refines once more; the loose one is met at once.
  const measured = new Map<number, number[]>();
  const run = (budgetUs: number) => {
    const clock = tableClock(SLOWER_US);
    measured.set(budgetUs, []);
    const measureNetworkUs: typeof clock = async (bytes, inputs, tableUs) => {
      const us = await clock(bytes, inputs, tableUs);
      measured.get(budgetUs)?.push(us);
      return us;
    };
    return runSearch(dataset, { budgetUs, epochs: 6, retrainEpochs: 1, widths: [128, 64, 32], seed: 2, measureNetworkUs });
  };
  const tight = await run(450);
  const loose = await run(3000);
  const tightExpensive = expensive(dataset, tight.derived.architecture.features);
  const looseExpensive = expensive(dataset, loose.derived.architecture.features);
  assert.ok(tightExpensive.length < looseExpensive.length, `expensive: tight [${tightExpensive}] vs loose [${looseExpensive}]`);
  assert.ok(tight.derived.totalUs < loose.derived.totalUs, `table total: tight ${tight.derived.totalUs} vs loose ${loose.derived.totalUs}`);
  // A neighbour that wins on validation (derive's last step) is measured once more.
  const neighbour = (r: typeof tight) => (r.history.derived.neighbours?.some((t) => t.result === 'kept' || (t.result === 'over budget' && t.validLoss !== undefined)) ? 1 : 0);
  assert.equal((measured.get(450)?.length ?? 0) - neighbour(tight), 2, 'the tight budget needed the second refinement');
  assert.equal((measured.get(3000)?.length ?? 0) - neighbour(loose), 1, 'the loose budget was met by the first derived model');
  for (const [r, budget] of [[tight, 450], [loose, 3000]] as const) {
    assert.ok((r.card.latency.measuredUs ?? Infinity) <= budget, `measured ${r.card.latency.measuredUs} > ${budget}`);
  }
});
