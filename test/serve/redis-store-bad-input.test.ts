// Bad Redis-store options and bad teacher-log values for `autofas store load` are coded errors naming the option, or the file, line and field.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runStoreLoad } from '../../src/cli/store-command.js';
import type { FeatureSpec } from '../../src/schema/feature-spec.js';
import { parseRedisStoreOptions } from '../../src/serve/redis-store-options.js';

const SPEC: FeatureSpec = {
  version: 1,
  features: [
    { name: 'price', side: 'item', source: 'store', type: 'numeric' },
    { name: 'vec', side: 'item', source: 'store', type: 'vector', dim: 2 },
  ],
};
const dir = mkdtempSync(join(tmpdir(), 'autofas-store-bad-'));
const features = join(dir, 'features.json');
writeFileSync(features, JSON.stringify(SPEC));

function log(name: string, lines: string[]): string {
  writeFileSync(join(dir, name), lines.join('\n'));
  return join(dir, name);
}

const line = (candidates: unknown[]): string => JSON.stringify({ request_id: 'r', context: {}, candidates });

test('a misspelt option, a crossKeys entry for a non-cross feature and a missing spec are ERR_AUTOFAS_OPTION naming them', () => {
  assert.throws(() => parseRedisStoreOptions({ featureSpec: SPEC, urll: 'redis://x' } as never), { code: 'ERR_AUTOFAS_OPTION', message: /`urll`.*did you mean `url`/ });
  assert.throws(() => parseRedisStoreOptions({ featureSpec: SPEC, crossKeys: { price: ['user_id'] } }), { code: 'ERR_AUTOFAS_OPTION', message: /`crossKeys.price`/ });
  assert.throws(() => parseRedisStoreOptions({}), { code: 'ERR_AUTOFAS_OPTION', message: /`featureSpec` is required/ });
});

test('store load: a value of the wrong type or length stops with ERR_AUTOFAS_LOG_FIELD naming file, line and field; bad JSON names its line', async () => {
  const ok = line([{ item_id: 'a', features: { price: 1 }, teacher_score: 0 }]);
  const cases: [string[], string, RegExp][] = [
    [[ok, line([{ item_id: 'a', features: { price: 'abc' }, teacher_score: 0 }])], 'ERR_AUTOFAS_LOG_FIELD', /line 2: candidates\[0\]\.features\.price: .*"abc"/],
    [[ok, ok, line([{ item_id: 'b', features: { vec: [1, 2, 3] }, teacher_score: 0 }])], 'ERR_AUTOFAS_LOG_FIELD', /line 3: candidates\[0\]\.features\.vec/],
    [[line([{ features: { price: 1 }, teacher_score: 0 }])], 'ERR_AUTOFAS_LOG_FIELD', /line 1: candidates\[0\]\.item_id/],
    [[ok, '{"request_id":'], 'ERR_AUTOFAS_LOG_PARSE', /line 2: not valid JSON/],
  ];
  for (const [lines, code, message] of cases) {
    const logs = log('bad.jsonl', lines);
    await assert.rejects(runStoreLoad({ features, logs: [logs], redis: 'redis://127.0.0.1:1', prefix: 'autofas:', quiet: true }, () => undefined), { code, message });
  }
});

test('store load: an unreachable Redis is ERR_AUTOFAS_STORE naming the URL, after the logs were read', async () => {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => resolve(p));
    });
  });
  const logs = log('good.jsonl', [line([{ item_id: 'a', features: { price: 1 }, teacher_score: 0 }])]);
  await assert.rejects(runStoreLoad({ features, logs: [logs], redis: `redis://127.0.0.1:${port}`, prefix: 'autofas:', quiet: true }, () => undefined), {
    code: 'ERR_AUTOFAS_STORE',
    message: new RegExp(`cannot connect to redis://127.0.0.1:${port}`),
  });
});
