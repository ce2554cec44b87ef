// Design principle 6: the plugin (src/serve) never reaches training code (src/search, src/graph, src/fixtures, src/cli).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const FORBIDDEN = ['src/search/', 'src/graph/', 'src/fixtures/', 'src/cli/'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specs.map((spec) => resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
}

/** Every source file reachable from `roots` through relative imports. */
function reachable(roots: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...relativeImports(file));
  }
  return seen;
}

test('nothing reachable from src/serve lives in src/search, src/graph, src/fixtures or src/cli', () => {
  const roots = sourceFiles(join(repo, 'src/serve'));
  assert.ok(roots.length > 5, 'expected the serve sources');
  const offenders = [...reachable(roots)]
    .map((f) => relative(repo, f))
    .filter((f) => FORBIDDEN.some((prefix) => f.startsWith(prefix)));
  assert.deepEqual(offenders, []);
});

test('the traversal follows imports: from src/search it reaches src/graph', () => {
  const reached = [...reachable(sourceFiles(join(repo, 'src/search')))].map((f) => relative(repo, f));
  assert.ok(reached.some((f) => f.startsWith('src/graph/')));
});
