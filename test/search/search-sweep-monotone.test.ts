// The budget sweep's front is monotone: a budget whose search ends worse than a cheaper one keeps the cheaper model.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OWN_SEARCH_DIR, runSweep, SWEEP_FILE } from '../../src/search/search/sweep.js';

/** A stand-in search: writes a tagged artifact and reports the given validation recall and table latency. */
function fakeSearch(results: Record<number, { recall: number; us: number }>) {
  return async (budgetUs: number, dir: string) => {
    await mkdir(dir, { recursive: true });
    for (const name of ['model.onnx', 'model.json', 'history.json']) await writeFile(join(dir, name), `${name} of ${budgetUs}`);
    return { validRecall: results[budgetUs].recall, expectedUs: results[budgetUs].us };
  };
}

test('a larger budget whose search ends worse keeps the best cheaper model; validation recall never falls', async () => {
  const root = await mkdtemp(join(tmpdir(), 'autofas-sweep-'));
  const results = { 500: { recall: 0.8, us: 450 }, 1000: { recall: 0.9, us: 900 }, 2000: { recall: 0.85, us: 1900 }, 4000: { recall: 0.95, us: 3000 } };
  const points = await runSweep([4000, 500, 2000, 1000], (b) => join(root, `b${b}`), fakeSearch(results));
  assert.deepEqual(points.map((p) => p.budgetUs), [500, 1000, 2000, 4000]);
  assert.deepEqual(points.map((p) => p.validRecall), [0.8, 0.9, 0.9, 0.95]);
  const kept = points[2];
  assert.equal(kept.keptFrom, 1000);
  assert.equal(kept.searchedValidRecall, 0.85);
  assert.equal(await readFile(join(root, 'b2000', 'model.onnx'), 'utf8'), 'model.onnx of 1000');
  assert.equal(await readFile(join(root, 'b2000', OWN_SEARCH_DIR, 'model.onnx'), 'utf8'), 'model.onnx of 2000');
  assert.equal(JSON.parse(await readFile(join(root, 'b2000', SWEEP_FILE), 'utf8')).keptFrom, 1000);
  assert.equal(points[3].keptFrom, undefined);
});

test('a cheaper model over the larger budget is not kept, and seed points (the main search) take part', async () => {
  const root = await mkdtemp(join(tmpdir(), 'autofas-sweep-'));
  const main = join(root, 'main');
  await fakeSearch({ 800: { recall: 0.99, us: 700 } })(800, main);
  const seed = [{ budgetUs: 800, dir: main, validRecall: 0.99, expectedUs: 700, searchedValidRecall: 0.99 }];
  const points = await runSweep([600, 1600], (b) => join(root, `b${b}`), fakeSearch({ 600: { recall: 0.9, us: 650 }, 1600: { recall: 0.97, us: 1500 } }), seed);
  assert.equal(points[0].keptFrom, undefined, 'the 800 us model costs 700 us: over the 600 us budget');
  assert.equal(points[1].keptFrom, 800);
  assert.equal(await readFile(join(root, 'b1600', 'model.json'), 'utf8'), 'model.json of 800');
});
