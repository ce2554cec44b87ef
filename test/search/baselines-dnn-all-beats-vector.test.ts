// On the fixture world, an MLP over all features (dnn-all) learns the teacher better than the two-tower model.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadFeatureSpec } from '../../src/schema/feature-spec.js';
import { trainBaseline, writeBaseline } from '../../src/search/baselines/index.js';
import { loadDataset, splitByRequest } from '../../src/search/data/dataset.js';
import { evaluateModels } from '../../src/search/evaluate/evaluate.js';

const WORLD = fileURLToPath(new URL('../../../fixtures/world/', import.meta.url));

test('dnn-all beats vector on the fixture teacher (Recall@50 and NDCG@50 on held-out requests)', async () => {
  const spec = await loadFeatureSpec(join(WORLD, 'features.json'));
  const { dataset } = await loadDataset([join(WORLD, 'logs.jsonl.gz')], spec, { itemIds: false });
  const { train, test: held } = splitByRequest(dataset, { train: 0.75, validation: 0, test: 0.25 }, 1);
  const dir = await mkdtemp(join(tmpdir(), 'autofas-baselines-'));
  try {
    const common = { epochs: 3, seed: 1 };
    const provenance = { logsHash: 'test', specHash: 'test', toolVersion: '0.0.0' };
    // Small widths keep the test fast; the point is the model family: all features incl. cross vs two towers.
    await writeBaseline(join(dir, 'vector'), await trainBaseline(train, { kind: 'vector', ...common }), provenance);
    await writeBaseline(join(dir, 'dnn-all'), await trainBaseline(train, { kind: 'dnn-all', layers: [64, 32], ...common }), provenance);
    const report = await evaluateModels(held, [join(dir, 'vector'), join(dir, 'dnn-all')], { k: 50, top: 10, latencyRuns: 3 });
    const [vector, dnnAll] = report.rows;
    assert.ok(dnnAll.recallAtK >= vector.recallAtK + 0.05, `dnn-all ${dnnAll.recallAtK} vs vector ${vector.recallAtK}`);
    assert.ok(dnnAll.ndcgAtK > vector.ndcgAtK, `dnn-all NDCG ${dnnAll.ndcgAtK} vs vector ${vector.ndcgAtK}`);
    assert.ok(dnnAll.recallAtK > 0.8);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
