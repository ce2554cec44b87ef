// The bundled serving fallback (fixtures/baseline) is a valid 'vector' artifact for the fixture world's spec.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadArtifact } from '../../src/schema/artifact.js';
import { loadFeatureSpec } from '../../src/schema/feature-spec.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

test('fixtures/baseline loads against the fixture spec and exposes both embeddings (regenerate: npm run fixtures:baseline)', async () => {
  const spec = await loadFeatureSpec(`${FIXTURES}world/features.json`);
  const { card } = await loadArtifact(`${FIXTURES}baseline`, { spec });
  assert.equal(card.kind, 'vector');
  assert.ok(card.outputs.contextEmbedding && card.outputs.itemEmbedding);
  assert.ok(card.inputs.every((i) => i.feature.side !== 'cross'));
});
