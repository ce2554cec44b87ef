// Metrics are fed only by events, live in an injected (or private) registry and leave prom-client's global one alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventEmitter } from 'node:events';
import { register, Registry } from 'prom-client';
import { preRankMetrics } from '../../src/serve/metrics.js';
import type { PreRankEventMap, PreRankRecord } from '../../src/serve/types.js';
import type { TeacherLoggerEventMap } from '../../src/serve/teacher-logger.js';
import { RotatingLogSink } from '../../src/serve/log-sink.js';
import { tempDir } from './ops-helpers.js';

async function value(registry: Registry, name: string, labels: Record<string, string> = {}, suffix = ''): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const entry = (metric?.values as { labels: Record<string, unknown>; value: number; metricName?: string }[] | undefined)?.find(
    (v) => (suffix === '' || v.metricName === `${name}${suffix}`) && Object.entries(labels).every(([k, x]) => v.labels[k] === x),
  );
  return entry?.value;
}

const record = (over: Partial<PreRankRecord>): PreRankRecord => ({
  arm: 'autofas', path: 'model', modelId: 'autofas-0123456789abcdef', k: 10, candidatesIn: 100, candidatesOut: 10, latencyMs: 3, ...over,
});

test('pre-ranker events become per-arm latency, candidates, fallbacks, bad inputs, breaker, cache and shadow metrics', async () => {
  const events = new EventEmitter<PreRankEventMap>();
  const registry = new Registry();
  const metrics = preRankMetrics({ events }, { registry });
  events.emit('request', record({}));
  events.emit('request', record({ arm: 'baseline', path: 'vector', latencyMs: 1, candidatesOut: 7, shadowArm: 'autofas', shadowOverlap: 0.6 }));
  events.emit('fallback', { from: 'model', to: 'vector', code: 'ERR_AUTOFAS_SCORER' });
  events.emit('bad-input', { code: 'ERR_AUTOFAS_BAD_CANDIDATES', field: 'candidates', message: 'x' });
  events.emit('breaker', 'open');
  events.emit('cache', { cache: 'item-features', hits: 90, misses: 10 });
  events.emit('reload', { ok: false, code: 'ERR_AUTOFAS_MODEL_FILES' });
  events.emit('scorer-time', { arm: 'autofas', ms: 2, candidates: 100 });
  assert.equal(await value(registry, 'autofas_requests_total', { arm: 'baseline', path: 'vector' }), 1);
  assert.equal(await value(registry, 'autofas_request_duration_seconds', { arm: 'autofas', path: 'model' }, '_sum'), 0.003);
  assert.equal(await value(registry, 'autofas_candidates_in_total', { arm: 'autofas' }), 100);
  assert.equal(await value(registry, 'autofas_candidates_out_total', { arm: 'baseline' }), 7);
  assert.equal(await value(registry, 'autofas_fallbacks_total', { reason: 'ERR_AUTOFAS_SCORER', to: 'vector' }), 1);
  assert.equal(await value(registry, 'autofas_bad_inputs_total', { code: 'ERR_AUTOFAS_BAD_CANDIDATES' }), 1);
  assert.equal(await value(registry, 'autofas_breaker_state'), 2);
  assert.equal(await value(registry, 'autofas_cache_hits_total', { cache: 'item-features' }), 90);
  assert.equal(await value(registry, 'autofas_cache_misses_total', { cache: 'item-features' }), 10);
  assert.equal(await value(registry, 'autofas_reloads_total', { result: 'refused' }), 1);
  assert.equal(await value(registry, 'autofas_shadow_overlap', { arm: 'baseline', shadow_arm: 'autofas' }, '_sum'), 0.6);
  assert.equal(await value(registry, 'autofas_scorer_duration_seconds', { arm: 'autofas' }, '_count'), 1);
  metrics.close();
  events.emit('breaker', 'closed');
  assert.equal(await value(registry, 'autofas_breaker_state'), 2, 'detached after close()');
  assert.equal(events.listenerCount('request'), 0);
});

test('teacher-logger events: lines, drops, skips and online Recall@K by arm and role', async () => {
  const events = new EventEmitter<TeacherLoggerEventMap>();
  const sink = new RotatingLogSink({ dir: tempDir('metrics-sink'), checkIntervalMs: 0, maxQueueLines: 1 });
  const metrics = preRankMetrics({ events: new EventEmitter() }, { teacherLogger: { events, sink } });
  sink.write('{}');
  sink.write('{}');
  events.emit('recall', { arm: 'autofas', k: 5, top: 10, recall: 0.8, shadow: false });
  events.emit('recall', { arm: 'baseline', k: 5, top: 10, recall: 0.5, shadow: true });
  events.emit('skipped', { reason: 'teacher-score' });
  await sink.close();
  const r = metrics.registry;
  assert.equal(await value(r, 'autofas_teacher_log_lines_total'), 1);
  assert.equal(await value(r, 'autofas_teacher_log_dropped_total', { reason: 'queue-full' }), 1);
  assert.equal(await value(r, 'autofas_teacher_log_files_total'), 1);
  assert.equal(await value(r, 'autofas_teacher_log_skipped_total', { reason: 'teacher-score' }), 1);
  assert.equal(await value(r, 'autofas_online_recall', { arm: 'autofas', role: 'served' }, '_sum'), 0.8);
  assert.equal(await value(r, 'autofas_online_recall', { arm: 'baseline', role: 'shadow' }, '_sum'), 0.5);
});

test('no global side effects: two instances coexist, the global registry stays empty of autofas metrics', async () => {
  const a = preRankMetrics({ events: new EventEmitter() });
  const b = preRankMetrics({ events: new EventEmitter() }, { prefix: 'shop_autofas_' });
  assert.notEqual(a.registry, b.registry);
  assert.ok((await b.registry.metrics()).includes('shop_autofas_requests_total'));
  assert.ok(!(await register.metrics()).includes('autofas_'));
  assert.throws(() => preRankMetrics({ events: new EventEmitter() }, { prefix: '1bad-' }), { code: 'ERR_AUTOFAS_OPTION' });
  assert.throws(() => preRankMetrics({ events: new EventEmitter() }, { latencyBuckets: [2, 1] }), { code: 'ERR_AUTOFAS_OPTION' });
});
