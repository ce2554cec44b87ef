// A user's view: `import { createPreRanker } from 'autofas'` resolves the built package and exposes the plugin API.
import assert from 'node:assert/strict';
import { test } from 'node:test';

test('the package entry exports the plugin factory, its helpers and the manifest builder', async () => {
  const pkg = (await import('autofas' as string)) as Record<string, unknown>;
  for (const name of ['createPreRanker', 'memoryItemStore', 'staticFlags', 'parseOptions', 'buildManifest', 'preRankerOptionsJsonSchema']) {
    assert.equal(typeof pkg[name], 'function', name);
  }
});
