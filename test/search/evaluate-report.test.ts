// report.html is self-contained (no external URLs, no scripts) and holds every plot; the Pareto front is non-dominated.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ReportComparison } from '../../src/search/evaluate/types.js';
import type { SearchHistory } from '../../src/search/search/history.js';
import { paretoFront } from '../../src/search/report/pareto.js';
import { writeSearchReport } from '../../src/search/report/write-report.js';

function history(): SearchHistory {
  const epoch = (n: number, round: number) => ({
    epoch: n,
    round,
    losses: { total: 1 / n, task: 0.5 / n, distill: 0.4 / n, latency: 0.1 },
    lambda2: 0.01,
    expectedLatency: { totalUs: 900 - 50 * n, featureUs: 500 - 40 * n, networkUs: 400 - 10 * n },
    theta: { ctr_7d: 0.5 + 0.1 * n, noise_feature: 0.5 - 0.1 * n },
    mixops: [{ ops: ['fc256', 'fc64', 'identity'], probs: [0.2, 0.3 + 0.05 * n, 0.5 - 0.05 * n] }, { ops: ['fc64', 'identity'], probs: [0.6, 0.4] }],
    features: ['ctr_7d'],
    elapsedS: n,
  });
  return {
    version: 1,
    budgetUs: 800,
    config: {},
    features: [
      { name: 'ctr_7d', side: 'item', source: 'store', costUs: 0.2 },
      { name: 'noise_feature', side: 'item', source: 'store', costUs: 0.5 },
    ],
    epochs: [epoch(1, 0), epoch(2, 0), epoch(1, 1), epoch(2, 1)],
    derived: { features: ['ctr_7d'], layers: [64], expectedUs: 700, featureUs: 400, networkUs: 300, measuredUs: 650 },
    retrain: [{ epoch: 1, loss: 0.3 }],
    test: { recallAtK: 0.9 },
  };
}

function row(name: string, kind: string, role: ReportComparison['role'], totalUs: number, recall: number): ReportComparison {
  return { name, dir: name, kind, modelId: `${kind}-0000000000000000`, features: 3, recallAtK: recall, ndcgAtK: recall, auc: null,
    networkUs: totalUs / 2, featureUs: totalUs / 2, totalUs, flopsPerCandidate: 1000, role };
}

test('report.html is self-contained and holds the plots', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autofas-report-'));
  try {
    const comparisons = [row('searched', 'autofas', 'searched', 700, 0.9), row('dnn-all', 'dnn-all', 'baseline', 2000, 0.91), row('vector', 'vector', 'baseline', 300, 0.7)];
    const path = await writeSearchReport(dir, history(), comparisons, { k: 100, top: 10 });
    const html = await readFile(path, 'utf8');
    assert.equal((html.match(/<svg /g) ?? []).length, 5);
    const urls = (html.match(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"')]*/gi) ?? []).filter((u) => !/^http:\/\/www\.w3\.org\//.test(u));
    assert.deepEqual(urls, []);
    assert.doesNotMatch(html, /<script|<link|<img|@import/i);
    for (const text of ['Feature keep-probabilities', 'Operator probabilities per Mixop', 'Losses per epoch', 'Expected latency', 'Latency-recall plane', 'noise_feature', 'Mixop 2', 'dnn-all']) {
      assert.ok(html.includes(text), `report lacks ${text}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a report without epochs still draws the plane', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autofas-report-'));
  try {
    const h = { ...history(), epochs: [] };
    const html = await readFile(await writeSearchReport(dir, h, [row('a', 'autofas', 'sweep', 1, 0.5)]), 'utf8');
    assert.equal((html.match(/<svg /g) ?? []).length, 1);
    assert.ok(html.includes('Pareto front of the budget sweep'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the Pareto front keeps exactly the non-dominated points, by latency', () => {
  const p = (latencyUs: number, recall: number) => ({ latencyUs, recall });
  const front = paretoFront([p(5, 0.9), p(1, 0.5), p(3, 0.6), p(4, 0.55), p(2, 0.5), p(6, 0.9), p(Number.NaN, 1)]);
  assert.deepEqual(front, [p(1, 0.5), p(3, 0.6), p(5, 0.9)]);
});
