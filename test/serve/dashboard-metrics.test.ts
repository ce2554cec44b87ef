// The Grafana dashboard queries only metrics the plugin's registry exports, and covers recall, latency, paths, breaker, caches and teacher logs.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { preRankMetrics } from '../../src/serve/metrics.js';
import { fakePreRanker } from './ops-helpers.js';

const DASHBOARD = new URL('../../../dashboards/grafana-autofas.json', import.meta.url);

interface Panel {
  readonly title: string;
  readonly type: string;
  readonly targets?: readonly { readonly expr: string }[];
}

/** Every series name the registry exports (histograms as _bucket, _sum and _count). */
async function exportedSeries(): Promise<Set<string>> {
  const logger = { events: new EventEmitter(), sink: new EventEmitter() };
  const metrics = preRankMetrics(fakePreRanker(async () => ({}) as never), { teacherLogger: logger as never });
  const names = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    if (String(m.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${m.name}${suffix}`);
    else names.add(m.name);
  }
  metrics.close();
  return names;
}

test('every dashboard query names only metrics the plugin exports; the required families each have a panel', async () => {
  const exported = await exportedSeries();
  const panels = (JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] }).panels.filter((p) => p.type !== 'row');
  const used = new Set<string>();
  for (const panel of panels) {
    assert.ok(panel.targets && panel.targets.length > 0, `${panel.title}: has queries`);
    for (const { expr } of panel.targets) {
      const names = expr.match(/\bautofas_[a-z0-9_]+/g) ?? [];
      assert.ok(names.length > 0, `${panel.title}: ${expr} names a metric`);
      for (const name of names) {
        assert.ok(exported.has(name), `${panel.title}: ${name} is not exported by preRankMetrics`);
        used.add(name);
      }
    }
  }
  const families = ['autofas_online_recall_sum', 'autofas_shadow_overlap_sum', 'autofas_request_duration_seconds_bucket', 'autofas_requests_total',
    'autofas_breaker_state', 'autofas_cache_hits_total', 'autofas_cache_misses_total', 'autofas_fallbacks_total', 'autofas_teacher_log_lines_total',
    'autofas_teacher_log_dropped_total', 'autofas_feature_missing_total'];
  for (const family of families) assert.ok(used.has(family), `a panel shows ${family}`);
});
