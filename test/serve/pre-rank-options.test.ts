// Options are validated once: bad values and misspelt names throw ERR_AUTOFAS_OPTION naming the option; defaults fill the rest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../src/schema/errors.js';
import { parseOptions } from '../../src/serve/options.js';
import type { PreRankerOptions } from '../../src/serve/options.js';

const base = { model: '/models/current' };

function check(options: Record<string, unknown>, option: string): void {
  assert.throws(
    () => parseOptions({ ...base, ...options } as unknown as PreRankerOptions),
    (err: Error) => hasCode(err, 'ERR_AUTOFAS_OPTION') && err instanceof TypeError && err.message.includes(`\`${option}\``),
    `${JSON.stringify(options)} should be refused naming ${option}`,
  );
}

const numeric = ['k', 'maxCandidates', 'timeoutMs', 'errorThresholdPercentage', 'volumeThreshold', 'resetTimeoutMs', 'workers', 'threadsPerWorker', 'itemCacheSize'];
for (const name of numeric) {
  test(`\`${name}\` refuses -1, NaN, Infinity, "1", null, {}, []`, () => {
    for (const bad of [-1, NaN, Infinity, '1', null, {}, []]) check({ [name]: bad }, name);
  });
}

test('integer options refuse fractions', () => {
  for (const name of ['k', 'maxCandidates', 'workers', 'volumeThreshold']) check({ [name]: 1.5 }, name);
});

test('`model` is required and must be a non-empty string', () => {
  check({ model: undefined }, 'model');
  check({ model: '' }, 'model');
  check({ model: 3 }, 'model');
});

test('`overflow` accepts only tail or refuse', () => check({ overflow: 'drop' }, 'overflow'));

test('`k` above `maxCandidates` is refused', () => check({ k: 10, maxCandidates: 5 }, 'k'));

test('code options must have the right shape', () => {
  check({ itemStore: {} }, 'itemStore');
  check({ flags: { evaluate: 1 } }, 'flags');
  check({ getContext: 'context' }, 'getContext');
  check({ logger: console.log }, 'logger');
  check({ baseline: { getContextEmbedding: () => [] } }, 'baseline');
});

test('a misspelt option name gets a suggestion', () => {
  assert.throws(() => parseOptions({ ...base, timeoutMS: 5 } as never), /did you mean `timeoutMs`/);
  assert.throws(() => parseOptions({ ...base, maxCandidate: 5 } as never), /did you mean `maxCandidates`/);
  assert.throws(() => parseOptions({ ...base, zzzzzzzz: 5 } as never), (err: Error) => hasCode(err, 'ERR_AUTOFAS_OPTION') && !/did you mean/.test(err.message));
});

test('defaults fill every option; undefined counts as not given; the caller object is untouched', () => {
  const given = Object.freeze({ ...base, k: undefined, overflow: 'refuse' as const });
  const config = parseOptions(given);
  assert.equal(config.k, 100);
  assert.equal(config.maxCandidates, 5000);
  assert.equal(config.overflow, 'refuse');
  assert.equal(config.timeoutMs, 50);
  assert.equal(config.baseline, null);
  assert.equal(typeof config.getCandidates, 'function');
  assert.deepEqual(Object.keys(given).sort(), ['k', 'model', 'overflow']);
});
