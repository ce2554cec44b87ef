// Writes plugin.manifest.json from the compiled code (`npm run manifest`); test/serve/manifest-sync.test.ts keeps it current.
import { writeFileSync } from 'node:fs';
import { buildManifest } from '../dist/src/serve/manifest.js';

writeFileSync(new URL('../plugin.manifest.json', import.meta.url), `${JSON.stringify(buildManifest(), null, 2)}\n`);
console.log('wrote plugin.manifest.json');
