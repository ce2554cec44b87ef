// compareWithBaselines trains baselines on the train split and evaluates everything on the test split, with roles.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { trainBaseline, writeBaseline } from '../../src/search/baselines/index.js';
import { compareWithBaselines } from '../../src/search/evaluate/compare.js';
import { splitByRequest } from '../../src/search/data/dataset.js';
import { toyDataset } from './baselines-toy-world.js';

test('sweep points, baselines and references come back in order, references kept out of the plotted rows', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autofas-compare-'));
  try {
    const splits = splitByRequest(toyDataset(20, 30, 4), { train: 0.6, validation: 0.2, test: 0.2 }, 1);
    const provenance = { logsHash: 'test', specHash: 'test', toolVersion: '0.0.0' };
    const small = { epochs: 1, requestsPerBatch: 2, candidatesPerRequest: 8, layers: [8], towerLayers: [8] };
    for (const name of ['a', 'b', 'ref']) await writeBaseline(join(dir, name), await trainBaseline(splits.train, { kind: 'dnn-all', ...small }), provenance);
    const searched = [{ dir: join(dir, 'a'), budgetUs: 100 }, { dir: join(dir, 'b'), budgetUs: 200 }];
    const { comparisons, report } = await compareWithBaselines(join(dir, 'out'), searched, splits, {
      kinds: ['vector'], baselineEpochs: 1, k: 5, top: 2, references: [{ dir: join(dir, 'ref'), name: 'teacher' }],
    });
    assert.deepEqual(report.rows.map((r) => r.name), ['searched@100us', 'searched@200us', 'vector', 'teacher']);
    assert.deepEqual(comparisons.map((c) => [c.name, c.role, c.budgetUs]), [
      ['searched@100us', 'sweep', 100], ['searched@200us', 'sweep', 200], ['vector', 'baseline', undefined],
    ]);
    assert.equal(report.requests, splits.test.requests);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
