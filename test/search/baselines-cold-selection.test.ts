// COLD keeps the top-m features by SE-block importance and exports them as a 'cold' artifact.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadArtifact } from '../../src/schema/artifact.js';
import { trainBaselineOfKind, writeBaseline } from '../../src/search/baselines/index.js';
import { toyDataset, toySpec } from './baselines-toy-world.js';

test('cold keeps keepFeatures features, the most important by SE weight, and records the importance', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autofas-cold-'));
  try {
    const trained = await trainBaselineOfKind(toyDataset(10, 50, 5), { kind: 'cold', keepFeatures: 3, epochs: 6, requestsPerBatch: 4, candidatesPerRequest: 16, layers: [16] });
    const importance = trained.importance as Record<string, number>;
    assert.deepEqual(Object.keys(importance).sort(), toySpec.features.map((f) => f.name).sort());
    const kept = trained.model.features.map((f) => f.name);
    assert.equal(kept.length, 3);
    const threshold = Math.min(...kept.map((name) => importance[name]));
    assert.ok(Object.entries(importance).every(([name, w]) => kept.includes(name) || w <= threshold));
    await writeBaseline(join(dir, 'cold'), trained, { logsHash: 'test', specHash: 'test', toolVersion: '0.0.0' });
    const { card } = await loadArtifact(join(dir, 'cold'), { spec: toySpec });
    assert.equal(card.kind, 'cold');
    assert.deepEqual(card.inputs.map((i) => i.feature.name).sort(), [...kept].sort());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
