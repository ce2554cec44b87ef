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
    const arch = card.architecture as { layers: number[]; features: string[]; searchSpace: { features: string[]; mixops: { ops: unknown[] }[] } };
    assert.deepEqual(arch.layers, [16, 16]);
    // The network is not searched: every Mixop holds the one fixed dense layer.
    assert.deepEqual(arch.searchSpace.mixops, [{ ops: [{ kind: 'dense', width: 16 }] }, { ops: [{ kind: 'dense', width: 16 }] }]);
    // The features are: the gates drop some of the spec's features, and the model reads exactly the kept ones.
    assert.deepEqual(arch.searchSpace.features, toySpec.features.map((f) => f.name));
    assert.ok(arch.features.length >= 1 && arch.features.length < toySpec.features.length, `kept ${arch.features.join(', ')}`);
    assert.deepEqual(card.inputs.map((i) => i.feature.name), arch.features);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
