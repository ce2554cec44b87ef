// The `autofas` CLI's surface: --version, one-line usage errors pointing at --help, enum flags as commander choices,
// one "(default: x)" style in every option description.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

test('autofas --version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  const r = cli(['--version']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim(), version);
});

test('usage errors are one line on stderr naming the problem and the --help to read', () => {
  const cases: [string[], RegExp, string][] = [
    [['search', '--logs', 'a.jsonl'], /--features/, 'autofas search --help'],
    [['train', '--kind', 'foo', '--logs', 'a', '--features', 'b', '--out', 'c'], /foo.*vector, dnn-all, cold, fscd/, 'autofas train --help'],
    [['train', '--kind', 'vector', '--distill', 'x', '--logs', 'a', '--features', 'b', '--out', 'c'], /pointwise, listwise/, 'autofas train --help'],
    [['search', '--logs', 'a', '--features', 'b', '--out', 'c', '--seed', 'x'], /--seed.*ERR_AUTOFAS_OPTION/, 'autofas search --help'],
    [['bogus'], /unknown command 'bogus'/, 'autofas --help'],
  ];
  for (const [args, problem, help] of cases) {
    const r = cli(args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, `${args.join(' ')}:\n${r.stderr}`);
    assert.match(r.stderr, problem);
    assert.ok(r.stderr.includes(`\`${help}\``), r.stderr);
    assert.equal(r.stdout, '');
  }
});

test('every option description writes defaults one way, "(default: x)", as commander prints the ones it knows', () => {
  const dir = new URL('../../src/cli/', import.meta.url);
  const stray: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(new URL(file, dir), 'utf8');
    for (const m of text.matchAll(/(?:\.option|\.requiredOption|new Option)\(\s*'[^']*',\s*(['"`])((?:\\.|(?!\1).)*)\1/g)) {
      if (/default [^:]/.test(m[2])) stray.push(`${file}: ${m[2]}`);
    }
  }
  assert.deepEqual(stray, []);
});
