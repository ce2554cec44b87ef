// `autofas ab-report` on logs with a known difference: autofas keeps the teacher's top, the baseline only for half its users.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { tempDir } from '../serve/ops-helpers.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const run = promisify(execFile);
const N = 30; // candidates per request; K = 10, teacher top 5

/** One logged request: scores by the served arm (`good` = teacher order, else reversed) and, in shadow mode, by the other arm. */
function record(id: string, user: string, arm: 'autofas' | 'baseline', good: boolean, shadowGood: boolean) {
  const candidates = Array.from({ length: N }, (_, i) => {
    const teacher = N - i;
    return { item_id: `i${i}`, features: {}, teacher_score: teacher, pre_rank_score: good ? teacher : -teacher, shadow_score: shadowGood ? teacher : -teacher };
  });
  const shadowArm = arm === 'autofas' ? 'baseline' : 'autofas';
  return { request_id: id, context: { user_id: user }, candidates, pre_rank: { arm, path: 'model', k: 10, unit_id: user, shadow_arm: shadowArm } };
}

/** 40 users per arm, 3 requests each: autofas recall 1; baseline recall 1 for even users, 0 for odd ones (mean 0.5). */
function writeLogs(dir: string): void {
  const lines: string[] = [];
  for (let u = 0; u < 80; u++) {
    const arm = u < 40 ? 'autofas' : 'baseline';
    for (let r = 0; r < 3; r++) {
      // served autofas: perfect, shadow baseline reversed; served baseline: even users perfect, shadow autofas perfect
      const rec = arm === 'autofas' ? record(`r${u}-${r}`, `u${u}`, arm, true, false) : record(`r${u}-${r}`, `u${u}`, arm, u % 2 === 0, true);
      lines.push(JSON.stringify(rec));
    }
  }
  lines.push(JSON.stringify({ request_id: 'no-arm', context: {}, candidates: [{ item_id: 'x', features: {}, teacher_score: 1 }] }));
  writeFileSync(join(dir, 'teacher-a.jsonl.gz'), gzipSync(lines.slice(0, 100).join('\n') + '\n'));
  writeFileSync(join(dir, 'teacher-b.jsonl'), lines.slice(100).join('\n') + '\n');
  writeFileSync(join(dir, 'teacher-c.jsonl.gz.part'), 'half a file');
}

test('per-arm Recall@K, bootstrap CIs over users, the A/B and the paired difference; --html writes a page with plots', async () => {
  const dir = tempDir('ab-report');
  writeLogs(dir);
  const html = join(dir, 'ab.html');
  const { stdout } = await run(process.execPath, [CLI, 'ab-report', '--logs', dir, '--top', '5', '--bootstrap', '400', '--json', '--html', html]);
  const report = JSON.parse(stdout);
  assert.equal(report.files, 2, 'the .part file is skipped');
  const [autofas, baseline] = report.arms;
  assert.deepEqual([autofas.arm, autofas.users, autofas.requests, autofas.k, autofas.mean, autofas.lo, autofas.hi], ['autofas', 40, 120, 10, 1, 1, 1]);
  assert.deepEqual([baseline.arm, baseline.users, baseline.requests, baseline.mean], ['baseline', 40, 120, 0.5]);
  // Users, not requests, are resampled: 40 users with recall 0 or 1 give a CI about ±0.15 wide (requests would give ±0.09).
  assert.ok(baseline.lo > 0.3 && baseline.lo < 0.4 && baseline.hi > 0.6 && baseline.hi < 0.7, JSON.stringify(baseline));
  const d = report.difference;
  assert.deepEqual([d.a, d.b, d.users, d.mean], ['autofas', 'baseline', 80, 0.5]);
  assert.ok(d.lo > 0.3 && d.hi < 0.7 && d.lo < 0.5 && d.hi > 0.5, JSON.stringify(d));
  // Paired on the shadow scores: autofas users +1 each; baseline users 0 (even) or +1 (odd): 60 / 80.
  assert.deepEqual([report.paired.users, report.paired.mean], [80, 0.75]);
  assert.deepEqual(report.skipped, { 'no-arm': 1 });
  const page = readFileSync(html, 'utf8');
  assert.ok((page.match(/<svg/g) ?? []).length >= 3, 'arms, A/B difference and paired difference charts');
  assert.doesNotMatch(page, /(src|href)=/, 'self-contained');
  const text = await run(process.execPath, [CLI, 'ab-report', '--logs', dir, '--top', '5', '--bootstrap', '400']);
  assert.match(text.stdout, /difference \(A\/B, each arm on its own users\) autofas - baseline: \+0\.500 \[\+0\.\d{3}, \+0\.\d{3}\] over 80 users: autofas better/);
});

test('a directory without logs is ERR_AUTOFAS_LOG_EMPTY naming it', async () => {
  const dir = tempDir('ab-empty');
  await assert.rejects(run(process.execPath, [CLI, 'ab-report', '--logs', dir]), (err: { stderr: string }) => {
    assert.match(err.stderr, /ERR_AUTOFAS_LOG_EMPTY/);
    assert.ok(err.stderr.includes(dir));
    return true;
  });
});
