// A registry from another copy of prom-client (another version, or a second install) is accepted by shape: metrics
// register in it and the admin router serves it; a non-registry is still refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import express from 'express';
import request from 'supertest';
import { preRankAdmin } from '../../src/serve/admin.js';
import { preRankMetrics } from '../../src/serve/metrics.js';
import type { PreRanker, PreRankEventMap } from '../../src/serve/types.js';

/** A registry that is not an instance of this copy's Registry class: every method forwards to a real one. */
function foreignRegistry(real: Registry): Registry {
  const foreign = Object.create(null) as Record<string, unknown>;
  for (const name of ['registerMetric', 'getSingleMetric', 'metrics', 'getMetricsAsJSON', 'removeSingleMetric', 'clear', 'resetMetrics', 'setDefaultLabels']) {
    foreign[name] = (...args: unknown[]) => (real as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args);
  }
  foreign.contentType = real.contentType;
  return foreign as unknown as Registry;
}

test('preRankMetrics and preRankAdmin accept a prom-client registry that fails instanceof', async () => {
  const real = new Registry();
  const foreign = foreignRegistry(real);
  assert.equal(foreign instanceof Registry, false);
  const events = new EventEmitter<PreRankEventMap>();
  preRankMetrics({ events }, { registry: foreign });
  events.emit('bad-input', { code: 'ERR_AUTOFAS_BAD_CONTEXT', field: 'context', message: 'x' });
  assert.match(await real.metrics(), /autofas_bad_inputs_total\{code="ERR_AUTOFAS_BAD_CONTEXT"\} 1/);
  const preRanker = Object.assign(() => undefined, { events, ready: () => true, models: () => ({ model: null, baseline: null }) });
  const admin = preRankAdmin(preRanker as unknown as PreRanker, { metrics: foreign });
  try {
    const res = await request(express().use('/autofas', admin)).get('/autofas/metrics');
    assert.equal(res.status, 200);
    assert.match(res.text, /autofas_bad_inputs_total/);
  } finally {
    admin.close();
  }
});

test('something that is not a registry is still refused with ERR_AUTOFAS_OPTION', () => {
  const events = new EventEmitter<PreRankEventMap>();
  for (const registry of [{}, { metrics: () => '' }, null, 'registry']) {
    assert.throws(() => preRankMetrics({ events }, { registry: registry as unknown as Registry }), { code: 'ERR_AUTOFAS_OPTION' });
  }
});
