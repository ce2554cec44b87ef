// plugin.manifest.json is exactly what the code generates (run `npm run manifest` after changing options, flags, metrics or routes).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildManifest } from '../../src/serve/manifest.js';
import { preRankerJsonOptionsSchema } from '../../src/serve/options.js';

const onDisk = JSON.parse(readFileSync(new URL('../../../plugin.manifest.json', import.meta.url), 'utf8'));

test('plugin.manifest.json matches the generated manifest', () => {
  assert.deepEqual(onDisk, JSON.parse(JSON.stringify(buildManifest())));
});

test('the manifest places the plugin after matching and before ranking and lists every JSON option', () => {
  assert.deepEqual(onDisk.hop, { after: 'matching', before: 'ranking' });
  assert.deepEqual(Object.keys(onDisk.configuration.properties).sort(), Object.keys(preRankerJsonOptionsSchema.shape).sort());
  assert.deepEqual(onDisk.configuration.required, ['model']);
  assert.ok(onDisk.flags.some((f: { key: string }) => f.key === 'autofas.arm'));
  assert.ok(onDisk.admin.some((r: { method: string; path: string }) => r.method === 'POST' && r.path === '/reload'));
  assert.ok(onDisk.metrics.length > 0);
});
