// The docs the package ships stand alone: repository-only pointers say so, and every import they show resolves.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

const ROOT = new URL('../../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { files: string[] };
const SHIPPED = ['README.md', ...pkg.files.filter((f) => f.startsWith('docs/'))];
const ALL_DOCS = ['README.md', ...readdirSync(new URL('docs/', ROOT)).map((f) => `docs/${f}`)];
const REPO_ONLY = /examples\/|\btest\/|\bbench\/|npm start|npm run /;

/** Paragraphs (blank-line separated) with the heading of their section. */
function paragraphs(text: string): { heading: string; text: string }[] {
  const out: { heading: string; text: string }[] = [];
  let heading = '';
  for (const block of text.split(/\n\s*\n/)) {
    const h = /^#+ .*$/m.exec(block);
    if (h) heading = h[0];
    out.push({ heading, text: block });
  }
  return out;
}

test('shipped docs say "repository" wherever they point at examples/, test/, bench/ or npm scripts', () => {
  const unmarked: string[] = [];
  for (const file of SHIPPED) {
    for (const p of paragraphs(readFileSync(new URL(file, ROOT), 'utf8'))) {
      if (REPO_ONLY.test(p.text) && !/repositor/i.test(p.text) && !/repositor/i.test(p.heading)) unmarked.push(`${file}: ${p.text.slice(0, 120)}`);
    }
  }
  assert.deepEqual(unmarked, []);
});

test("every name a doc imports from 'autofas' or a sub-path is exported there", async () => {
  const missing: string[] = [];
  let imports = 0;
  for (const file of ALL_DOCS) {
    const text = readFileSync(new URL(file, ROOT), 'utf8');
    for (const m of text.matchAll(/import\s*\{([^}]+)\}\s*from\s*'(autofas(?:\/[a-z]+)?)'/g)) {
      const mod = (await import(m[2])) as Record<string, unknown>;
      for (const raw of m[1].split(',')) {
        const name = raw.trim();
        if (name === '' || name.startsWith('type ')) continue;
        imports++;
        if (mod[name] === undefined) missing.push(`${file}: ${name} from '${m[2]}'`);
      }
    }
  }
  assert.ok(imports >= 10, `only ${imports} imported names found in the docs`);
  assert.deepEqual(missing, []);
});

test('the functions the docs name are importable from the documented sub-paths', async () => {
  const search = (await import('autofas/search' as string)) as Record<string, unknown>;
  const fixtures = (await import('autofas/fixtures' as string)) as Record<string, unknown>;
  for (const name of ['runSearch', 'loadDataset', 'compareWithBaselines', 'writeSearchReport', 'evaluateModels']) assert.equal(typeof search[name], 'function', name);
  for (const name of ['createWorld', 'matchCandidates', 'contextFeatures', 'candidateFeatures', 'scoreRequest', 'createSession']) assert.equal(typeof fixtures[name], 'function', name);
});
