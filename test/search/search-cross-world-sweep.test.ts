// On the cross world (a costly cross feature carries a large share of the teacher's signal) a budget sweep spends
// its budget: the costly feature is kept once it fits, recall never falls with budget, the unlimited search is
// within a point of dnn-all and every budget is at least vector's recall at less cost. Table clock, fixed seeds.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareWithBaselines } from '../../src/search/evaluate/compare.js';
import { featureFetchUs } from '../../src/search/evaluate/cost.js';
import { loadLatencyTable } from '../../src/search/latency/latency-table.js';
import { runSearch, type SearchResult } from '../../src/search/search/run-search.js';
import { runSweep, sweepSearchOf } from '../../src/search/search/sweep.js';
import { crossWorld, tableClock } from './search-helpers.js';

const COSTLY = 'user_item_affinity';
/** 400 us cannot fetch the costly feature (1000 us), 1600 us can, 1e6 us is no limit. */
const BUDGETS = [400, 1600, 1_000_000];

test('cross world sweep: costly feature kept when it fits, monotone recall, near dnn-all unlimited, above vector everywhere', async () => {
  const { dataset } = await crossWorld();
  const out = await mkdtemp(join(tmpdir(), 'autofas-cross-sweep-'));
  const results = new Map<number, SearchResult>();
  const points = await runSweep(BUDGETS, (b) => join(out, `searched-${b}`), async (budgetUs, dir) => {
    const result = await runSearch(dataset, { budgetUs, seed: 1, epochs: 4, retrainEpochs: 2, widths: [64, 32], mixops: 2, archLearningRate: 0.3, measureNetworkUs: tableClock() }, { out: dir });
    results.set(budgetUs, result);
    return sweepSearchOf(result);
  });
  const splits = (results.get(BUDGETS[0]) as SearchResult).splits;
  const { report } = await compareWithBaselines(out, points.map((p) => ({ dir: p.dir, budgetUs: p.budgetUs })), splits, { baselineEpochs: 2, seed: 1 });
  const recall = (name: string) => (report.rows.find((r) => r.name === name) ?? assert.fail(`no row ${name}`)).recallAtK;
  const searched = BUDGETS.map((b) => recall(`searched@${b}us`));

  const kept = (b: number) => (results.get(b) as SearchResult).history.derived.features;
  assert.ok(!kept(400).includes(COSTLY), `400 us cannot afford ${COSTLY}: ${kept(400)}`);
  assert.ok(kept(1600).includes(COSTLY), `1600 us keeps ${COSTLY}: ${kept(1600)}`);
  for (let i = 1; i < points.length; i++) {
    assert.ok(points[i].validRecall >= points[i - 1].validRecall, `validation recall falls at ${BUDGETS[i]} us`);
    assert.ok(searched[i] >= searched[i - 1], `test recall falls at ${BUDGETS[i]} us: ${searched}`);
  }
  assert.ok(searched[2] >= recall('dnn-all') - 0.01, `unlimited ${searched[2]} vs dnn-all ${recall('dnn-all')}`);
  const vectorFeatures = dataset.spec.features.filter((f) => f.side !== 'cross');
  const vectorFetchUs = featureFetchUs(vectorFeatures, (await loadLatencyTable()).inputUs);
  for (const [i, b] of BUDGETS.entries()) assert.ok(searched[i] >= recall('vector'), `${b} us: ${searched[i]} < vector ${recall('vector')}`);
  // The cheapest searched model (table latency) costs less than vector's feature fetch alone.
  assert.ok(points[0].expectedUs < vectorFetchUs, `searched@400us ${points[0].expectedUs} us vs vector's fetch ${vectorFetchUs} us`);
});
