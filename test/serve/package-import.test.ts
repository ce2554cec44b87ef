// A user's view: `import { createPreRanker } from 'autofas'` resolves the built package and exposes the plugin API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as built from '../../src/index.js';
import * as builtSchema from '../../src/schema/index.js';

test('the package entry exports the plugin factory, its helpers and the manifest builder', async () => {
  const pkg = (await import('autofas' as string)) as typeof built;
  const names = ['createPreRanker', 'memoryItemStore', 'staticFlags', 'parseOptions', 'buildManifest', 'preRankerOptionsJsonSchema',
    'teacherLogger', 'preRankAdmin', 'createFlagEvaluator', 'preRankMetrics', 'watchModels', 'armAssigner', 'RotatingLogSink'];
  for (const name of names) assert.equal(pkg[name as keyof typeof pkg], built[name as keyof typeof built], `${name} is this build's export`);
  // The package resolves to this build and its functions work as documented.
  assert.equal(pkg.parseOptions({ model: 'models/current' }).k, 100);
  assert.deepEqual(pkg.buildManifest().entry, { module: './dist/src/index.js', export: 'createPreRanker' });
  assert.throws(() => pkg.parseOptions({ model: 'm', k: -1 }), { code: 'ERR_AUTOFAS_OPTION' });
});

test("the 'autofas/schema' subpath serves the shared vocabulary, and the package exports no training code", async () => {
  const schema = (await import('autofas/schema' as string)) as typeof builtSchema;
  assert.equal(schema.loadArtifact, builtSchema.loadArtifact);
  assert.equal(schema.fnv1a32('a'), 0xe40c292c);
  const pkg = (await import('autofas' as string)) as Record<string, unknown>;
  for (const name of ['runSearch', 'loadDataset', 'Graph', 'createWorld']) assert.equal(pkg[name], undefined, name);
});
