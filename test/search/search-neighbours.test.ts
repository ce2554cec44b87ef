// Derive's neighbours: wider, deeper and every-feature-that-fits networks are retrained only when they fit the budget,
// replace the derived model when they win on validation, and `neighbours: false` leaves the derived model as it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Feature } from '../../src/schema/feature-spec.js';
import type { LatencyModel } from '../../src/search/latency/latency-model.js';
import { chooseNeighbour, MAX_NEIGHBOUR_RETRAINS, type Neighbour } from '../../src/search/derive/neighbours.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportPage } from '../../src/search/report/html.js';
import type { SearchHistory } from '../../src/search/search/history.js';
import { runSearch } from '../../src/search/search/run-search.js';
import { fixtureDataset, tableClock, WORLD } from './search-helpers.js';

/** A latency model where a feature costs 100 us and a network its summed widths. */
const toyLatency = { derivedUs: (kept: ReadonlySet<string>, layers: readonly number[]) => ({ totalUs: 100 * kept.size + layers.reduce((s, w) => s + w, 0) }) } as unknown as LatencyModel;
const toyFeatures = ['a', 'b', 'c'].map((name) => ({ name, side: 'item', source: 'store' })) as unknown as Feature[];

test('a neighbour over the budget is never retrained, only recorded; at most MAX_NEIGHBOUR_RETRAINS are', async () => {
  const architecture = { features: ['a'], layers: [32], embeddingDim: 8 };
  const input = { architecture, features: toyFeatures, theta: [0.9, 0.4, 0.3], widths: [128, 64, 32], maxLayers: 3, latency: toyLatency, budgetUs: 200 };
  const derived: Neighbour = { label: 'derived', architecture, expectedUs: 132 };
  const retrained: Neighbour[] = [];
  // Every retrained neighbour is a little better than the one before: the walk goes on until the limit.
  let loss = 1;
  const choice = await chooseNeighbour(input, derived, { losses: Float64Array.from([1, 1.1, 0.9, 1]) }, async (c) => {
    retrained.push(c);
    loss -= 0.1;
    return { losses: Float64Array.from([loss, loss + 0.1, loss - 0.1, loss]) };
  });
  assert.ok(retrained.length > 0 && retrained.length <= MAX_NEIGHBOUR_RETRAINS, `${retrained.length} retrains`);
  for (const c of retrained) assert.ok(c.expectedUs <= 200, `${c.label} (${c.expectedUs} us) was retrained over the 200 us budget`);
  const over = choice.tries.filter((t) => t.expectedUs > 200);
  assert.ok(over.length > 0, 'some neighbour (e.g. a + b) is over the budget');
  for (const t of over) assert.ok(t.result === 'over budget' && t.validLoss === undefined, `${t.label}: ${t.result}`);
  assert.equal(choice.tries[0].result, 'derived');
});

const searchAt = (budgetUs: number, neighbours?: boolean) => async () =>
  runSearch(await fixtureDataset(), { budgetUs, epochs: 8, retrainEpochs: 2, widths: [128, 64, 32], seed: 1, measureNetworkUs: tableClock(), ...(neighbours === undefined ? {} : { neighbours }) });

// At 360 us the fixture's derive keeps one layer of 32; the network one layer deeper (333 us) fits and wins.
let once: ReturnType<ReturnType<typeof searchAt>> | undefined;
const withNeighbours = () => (once ??= searchAt(360)());

test('a deeper neighbour that wins on validation replaces the derived model; the card says so', async () => {
  const result = await withNeighbours();
  const tries = result.history.derived.neighbours ?? [];
  const derived = tries.find((t) => t.result === 'derived');
  const kept = tries.filter((t) => t.result === 'kept').at(-1);
  assert.ok(derived && kept, `a derived entry and a kept neighbour: ${JSON.stringify(tries.map((t) => [t.label, t.result]))}`);
  assert.notDeepEqual(kept.layers, derived.layers);
  assert.ok((kept.validLoss ?? Infinity) < (derived.validLoss ?? -Infinity));
  assert.deepEqual(result.derived.architecture.layers, kept.layers);
  assert.deepEqual(result.history.derived.layers, kept.layers);
  assert.deepEqual(result.card.architecture.layers, kept.layers);
  assert.ok(result.history.derived.expectedUs <= 360);
  for (const t of tries) if (t.expectedUs > 360) assert.equal(t.result, 'over budget', t.label);
});

test('with neighbours off the derived model is the one the neighbours start from, and nothing is tried', async () => {
  const on = await withNeighbours();
  const off = await searchAt(360, false)();
  assert.equal(off.history.derived.neighbours, undefined);
  const derived = on.history.derived.neighbours?.[0];
  assert.equal(derived?.result, 'derived');
  assert.deepEqual(off.derived.architecture.features, derived.features);
  assert.deepEqual(off.derived.architecture.layers, derived.layers);
  assert.equal(off.history.retrain.at(-1)?.validRecall, derived.validRecall);
});

test('a neighbour that wins on validation but measures over the budget is given up for the derived model', async () => {
  // The "machine" runs the first (derived) model as the table says and every later one 1000 us slower.
  let runs = 0;
  const measureNetworkUs = async (_bytes: Uint8Array, _inputs: readonly unknown[], tableUs: number) => tableUs + (runs++ === 0 ? 0 : 1000);
  const result = await runSearch(await fixtureDataset(), { budgetUs: 360, epochs: 8, retrainEpochs: 2, widths: [128, 64, 32], seed: 1, measureNetworkUs });
  const tries = result.history.derived.neighbours ?? [];
  const derived = tries[0];
  assert.equal(runs, 2, 'the derived model and the winning neighbour were measured');
  assert.deepEqual(result.derived.architecture.layers, derived.layers);
  assert.ok((result.card.latency.measuredUs ?? Infinity) <= 360);
  assert.ok(!tries.some((t) => t.result === 'kept'), 'no neighbour is reported kept');
  assert.ok(tries.some((t) => t.result === 'over budget' && t.validLoss !== undefined), 'the winner is reported over budget');
});

test('the report lists every neighbour with its result', async () => {
  const { history } = await withNeighbours();
  const page = reportPage(history, [], [], 100, 10);
  assert.match(page, /Neighbours of the derived network/);
  for (const t of history.derived.neighbours ?? []) assert.ok(page.includes(t.label.replace(/>/g, '&#62;')), t.label);
});

test('autofas search --no-neighbours turns them off', () => {
  const dir = mkdtempSync(join(tmpdir(), 'autofas-neighbours-'));
  try {
    const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
    const args = ['search', '--logs', `${WORLD}logs.jsonl.gz`, '--features', `${WORLD}features.json`, '--out', dir, '--budget-us', '5000', '--epochs', '1', '--retrain-epochs', '1', '--widths', '32,16', '--mixops', '2', '--quiet', '--no-report'];
    const r = spawnSync(process.execPath, [cli, ...args, '--no-neighbours'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8')) as SearchHistory;
    assert.equal(history.derived.neighbours, undefined);
    assert.equal(history.config.neighbours, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
