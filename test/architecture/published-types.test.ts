// The plugin's published declarations stand alone: from `autofas` and `autofas/schema`, the .d.ts files reach no
// package but the peers and dependencies that ship their own types (no @types/opossum, @types/express, ...).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const DIST = fileURLToPath(new URL('../../src/', import.meta.url));
/** Packages a consumer has with their types: the peer prom-client and the dependency zod (both ship .d.ts). */
const ALLOWED = new Set(['prom-client', 'zod']);

/** Every bare module specifier the declarations reachable from `entry` import, with the file importing it. */
function externalImports(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const external = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\()\s*'([^']+)'/g)) {
      const spec = m[1];
      if (spec.startsWith('.')) queue.push(join(dirname(file), spec.replace(/\.js$/, '.d.ts')));
      else if (!spec.startsWith('node:')) external.set(spec, relative(DIST, file));
    }
  }
  return external;
}

test('the declarations of autofas and autofas/schema import only prom-client, zod and node: modules', () => {
  for (const entry of ['index.d.ts', 'schema/index.d.ts']) {
    assert.ok(existsSync(join(DIST, entry)), `${entry} was not emitted`);
    const stray = [...externalImports(join(DIST, entry))].filter(([spec]) => !ALLOWED.has(spec));
    assert.deepEqual(stray, [], `${entry} reaches packages a consumer may not have types for`);
  }
});

test('the public middleware types name no Express type (they fit Express 4 and 5 alike)', () => {
  const types = ['serve/types.d.ts', 'serve/http-types.d.ts', 'serve/option-types.d.ts'].map((f) => readFileSync(join(DIST, f), 'utf8')).join('\n');
  assert.doesNotMatch(types, /from 'express'|import\('express'\)/);
  assert.match(types, /interface Locals/, 'res.locals augmentation missing from the published types');
});
