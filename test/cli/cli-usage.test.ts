// The `autofas` CLI's surface: --version, one-line usage errors pointing at --help, enum flags as commander choices,
// one "(default: x)" style in every help text.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const COMMANDS = ['fixtures', 'profile', 'train', 'evaluate', 'search'];

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

test('autofas --version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const r = cli([flag]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), version);
  }
});

test('usage errors are one line on stderr naming the problem and the --help to read', () => {
  const cases: [string[], RegExp, string][] = [
    [['search', '--logs', 'a.jsonl'], /--features/, 'autofas search --help'],
    [['train', '--kind', 'foo', '--logs', 'a', '--features', 'b', '--out', 'c'], /foo.*vector, dnn-all, cold, fscd/, 'autofas train --help'],
    [['train', '--kind', 'vector', '--distill', 'x', '--logs', 'a', '--features', 'b', '--out', 'c'], /pointwise, listwise/, 'autofas train --help'],
    [['search', '--logs', 'a', '--features', 'b', '--out', 'c', '--distill', 'both'], /pointwise, listwise/, 'autofas search --help'],
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

test('every help text writes defaults one way, "(default: x)"', () => {
  for (const command of COMMANDS) {
    const r = cli([command, '--help']);
    assert.equal(r.status, 0);
    const text = r.stdout.replace(/\s+/g, ' ');
    assert.doesNotMatch(text, /default [^:]/, `${command} --help`);
    assert.match(text, /\(default: /, `${command} --help`);
  }
});
