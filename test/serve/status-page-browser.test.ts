// The status page in a real browser: headless Chromium loads /autofas/ from a running demo loop and the test reads the rendered numbers.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { startDemoLoop } from '../../examples/gateway/demo-loop.js';
import { abReport } from '../../src/search/evaluate/ab-report.js';
import type { StatusSnapshot } from '../../src/serve/status.js';
import { tempDir } from './ops-helpers.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const run = promisify(execFile);

/** Flags for the test: a sticky 50/50 split, shadow scoring, every request teacher-logged (so Recall@K is measured on each). */
function writeFlags(file: string): void {
  const flag = (variants: Record<string, unknown>, defaultVariant: string, targeting?: unknown) => ({ state: 'ENABLED', variants, defaultVariant, ...(targeting ? { targeting } : {}) });
  writeFileSync(file, JSON.stringify({ flags: {
    'autofas.arm': flag({ autofas: 'autofas', baseline: 'baseline' }, 'autofas', { fractional: [['autofas', 50], ['baseline', 50]] }),
    'autofas.shadow': flag({ on: true }, 'on'),
    'autofas.teacherLogRate': flag({ all: 1 }, 'all'),
  } }));
}

/** The DOM after the page's script ran, from headless Chromium (7 s of virtual time: one refresh from status.json). */
async function renderedDom(url: string): Promise<string> {
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${tempDir('chromium-profile')}`, '--virtual-time-budget=7000', '--dump-dom', url];
  const { stdout } = await run(CHROMIUM, flags, { timeout: 60_000, maxBuffer: 8 << 20 });
  return stdout;
}

/** `data-field` cell texts of the rendered page. */
function cells(dom: string): Map<string, string> {
  return new Map([...dom.matchAll(/<td data-field="([^"]+)">([^<]*)<\/td>/g)].map((m) => [m[1], m[2]]));
}

test('headless Chromium renders per-arm requests, Recall@K with its CI, latency, model cards and teacher-log counters', { timeout: 120_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) return void t.skip(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium; .ci/run does) or set $CHROMIUM`);
  const varDir = tempDir('status-page');
  const flagsFile = join(varDir, 'flags.json');
  writeFlags(flagsFile);
  const loop = await startDemoLoop({ varDir, flagsFile, token: 'status-page-token-0123456789', gateway: { candidates: 200, preRank: { workers: 1, timeoutMs: 10_000 } } });
  const server = loop.gateway.app.listen(0, '127.0.0.1');
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    server.close();
    await loop.close();
  };
  t.after(close);
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (let i = 0; i < 24; i++) {
    const res = await fetch(`${base}/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: `user-${String(i * 13).padStart(4, '0')}`, query: 'query-042' }) });
    assert.equal(res.status, 200);
  }
  await loop.gateway.teacherLogger?.flush();
  const expected = (await (await fetch(`${base}/autofas/status.json`)).json()) as StatusSnapshot;

  const source = await (await fetch(`${base}/autofas/`)).text();
  assert.doesNotMatch(source, /data-field=/, 'the numbers are rendered by the page script, not in the served HTML');
  assert.doesNotMatch(source, /(src|href)=|https?:\/\//, 'self-contained: no external URL');

  const dom = await renderedDom(`${base}/autofas/`);
  const embeddedAt = (JSON.parse(/<script type="application\/json" id="snapshot">([^<]*)<\/script>/.exec(dom)?.[1] ?? '{}') as { at?: string }).at;
  const renderedAt = /<body data-rendered="([^"]+)"/.exec(dom)?.[1];
  assert.ok(embeddedAt && renderedAt && renderedAt > embeddedAt, `the page refreshed itself from status.json (${embeddedAt} -> ${renderedAt})`);
  const got = cells(dom);
  const arms = ['autofas', 'baseline'];
  assert.equal(arms.reduce((sum, arm) => sum + Number(got.get(`arm.${arm}.requests`)), 0), 24, 'every request counted on one arm');
  for (const arm of arms) {
    const want = expected.arms.find((a) => a.arm === arm);
    assert.ok(want && want.requests > 0, `${arm} got traffic from the 50/50 split`);
    assert.equal(got.get(`arm.${arm}.requests`), String(want.requests));
    assert.match(got.get(`arm.${arm}.paths`) ?? '', /^(model|vector) \d+\.\d%/);
    assert.ok(Number(got.get(`arm.${arm}.p99`)) >= Number(got.get(`arm.${arm}.p50`)) && Number(got.get(`arm.${arm}.p50`)) > 0);
    const recall = /^(\d\.\d{3}) \[(\d\.\d{3}), (\d\.\d{3})\] n=(\d+)$/.exec(got.get(`arm.${arm}.recall`) ?? '');
    assert.ok(recall, `${arm}: Recall@K with a CI is shown, got ${got.get(`arm.${arm}.recall`)}`);
    assert.equal(Number(recall[4]), want.recall?.n);
    assert.equal(Number(recall[1]), Number(want.recall?.mean.toFixed(3)));
    assert.ok(Number(recall[2]) <= Number(recall[1]) && Number(recall[1]) <= Number(recall[3]));
    assert.match(got.get(`arm.${arm}.overlap`) ?? '', /^\d\.\d{3} \[/, `${arm}: shadow Overlap@K shown`);
  }
  assert.equal(got.get('model.modelId'), loop.gateway.preRanker.models().model?.modelId);
  assert.equal(got.get('baseline.modelId'), loop.gateway.preRanker.models().baseline?.modelId);
  assert.equal(got.get('log.written'), '24', 'teacher-log lines on disk');

  // The same logs give the offline verdict: each arm's logged requests are the ones its online Recall@K measured.
  await close();
  const report = await abReport([loop.logDir], { bootstrap: 50 });
  assert.deepEqual(report.arms.map((a) => [a.arm, a.requests]), arms.map((arm) => [arm, expected.arms.find((a) => a.arm === arm)?.recall?.n]));
});
