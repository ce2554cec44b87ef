// FSCD: the searcher with a fixed network; the artifact is kind 'fscd' and its layers are the fixed widths.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadArtifact } from '../../src/schema/artifact.js';
import { trainFscd } from '../../src/search/baselines/index.js';
import { toyDataset, toySpec } from './baselines-toy-world.js';

test('fscd keeps the fixed architecture, selects features, and is exported as kind fscd', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autofas-fscd-'));
  try {
    const card = await trainFscd(toyDataset(30, 40, 8), join(dir, 'fscd'), { width: 16, depth: 2, epochs: 2, warmupEpochs: 1, retrainEpochs: 1, seed: 2 });
    assert.equal(card.kind, 'fscd');
    const loaded = await loadArtifact(join(dir, 'fscd'), { spec: toySpec });
    assert.equal(loaded.card.modelId, card.modelId);
    const layers = (card.architecture as { layers?: number[] }).layers ?? [];
    assert.deepEqual(layers, [16, 16]);
    assert.ok(card.inputs.length >= 1 && card.inputs.length <= toySpec.features.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
