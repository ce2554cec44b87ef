// Every operations factory rejects misspelt option names (with a suggestion) and bad values, coded ERR_AUTOFAS_OPTION.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { preRankAdmin } from '../../src/serve/admin.js';
import { armAssigner } from '../../src/serve/bucketing.js';
import { createFlagEvaluator } from '../../src/serve/flags.js';
import { RotatingLogSink } from '../../src/serve/log-sink.js';
import { preRankMetrics } from '../../src/serve/metrics.js';
import { teacherLogger } from '../../src/serve/teacher-logger.js';
import { watchModels } from '../../src/serve/watch.js';
import { fakePreRanker, tempDir } from './ops-helpers.js';

const preRanker = fakePreRanker(async () => assert.fail('no reload'));
const dir = tempDir('ops-options');
const factories: [string, (options: never) => unknown, string, string][] = [
  ['createFlagEvaluator', (o) => createFlagEvaluator(o), 'maxk', 'maxK'],
  ['RotatingLogSink', (o) => new RotatingLogSink({ dir, ...(o as object) }), 'maxByte', 'maxBytes'],
  ['teacherLogger', (o) => teacherLogger({ sink: { dir }, ...(o as object) }), 'teacherscore', 'teacherScore'],
  ['preRankAdmin', (o) => preRankAdmin(preRanker, o), 'modelRoot', 'modelsRoot'],
  ['preRankMetrics', (o) => preRankMetrics({ events: new EventEmitter() }, o), 'registery', 'registry'],
  ['watchModels', (o) => watchModels(preRanker, { modelsRoot: dir, ...(o as object) }), 'debounce', 'debounceMs'],
  ['armAssigner', (o) => armAssigner(o), 'autofa', 'autofas'],
];

test('a misspelt option name is refused with the closest known name', () => {
  for (const [name, make, wrong, right] of factories) {
    assert.throws(() => make({ [wrong]: 1 } as never), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_AUTOFAS_OPTION', name);
      assert.ok(err instanceof TypeError);
      assert.ok(err.message.includes(`\`${right}\``), `${name}: ${err.message}`);
      return true;
    });
  }
});

test('bad values of numeric options are refused (-1, NaN, Infinity, "1", null, {}, [])', () => {
  const bad = [-1, Number.NaN, Infinity, '1', null, {}, []];
  const numeric: [string, (v: unknown) => unknown][] = [
    ['maxK', (v) => createFlagEvaluator({ maxK: v as number })],
    ['maxBytes', (v) => new RotatingLogSink({ dir, maxBytes: v as number })],
    ['maxQueueLines', (v) => new RotatingLogSink({ dir, maxQueueLines: v as number })],
    ['recallTop', (v) => teacherLogger({ sink: { dir }, recallTop: v as number })],
    ['debounceMs', (v) => watchModels(preRanker, { modelsRoot: dir, debounceMs: v as number })],
    ['autofas', (v) => armAssigner({ autofas: v as number })],
  ];
  for (const [name, make] of numeric) {
    for (const value of bad) {
      if (name === 'autofas' && value === null) continue; // null percent means "not given" for ?? defaults
      assert.throws(() => make(value), { code: 'ERR_AUTOFAS_OPTION' }, `${name} = ${JSON.stringify(value)}`);
    }
  }
  assert.throws(() => teacherLogger({ sink: { dir }, when: 'later' as never }), { code: 'ERR_AUTOFAS_OPTION' });
  assert.throws(() => teacherLogger({ sink: { dir }, teacherScore: 5 as never }), { code: 'ERR_AUTOFAS_OPTION' });
  assert.throws(() => preRankAdmin(preRanker, { metrics: {} as never }), { code: 'ERR_AUTOFAS_OPTION' });
  assert.throws(() => new RotatingLogSink([] as never), { code: 'ERR_AUTOFAS_OPTION' });
});
