// Search options: every invalid value throws ERR_AUTOFAS_OPTION naming the option; configs round-trip through JSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromConfig, parseSearchOptions, searchStepsPerEpoch, toConfig, type SearchOptions } from '../../src/search/search/config.js';
import { subsetRequests } from '../../src/search/data/dataset.js';
import { runSearch } from '../../src/search/search/run-search.js';
import { fixtureDataset } from './search-helpers.js';

const BAD: [string, unknown][] = [
  ['epochs', -1], ['epochs', 1.5], ['epochs', Number.NaN], ['epochs', '3'], ['mixops', 0], ['lambda1', 1.5],
  ['lambda1', -0.1], ['lambda2', -1], ['lambda2', Infinity], ['budgetUs', 0], ['budgetUs', -5], ['widths', []],
  ['widths', [0]], ['widths', [1.5]], ['widths', 'big'], ['distill', 'both'], ['distill', null], ['gateTemperature', 0],
  ['keepThreshold', 1.5], ['initialKeep', 1], ['validFraction', 0.9], ['requestsPerBatch', {}], ['identity', 'yes'],
  ['threads', 0], ['archFraction', 0.95], ['candidatesPerRequest', 1], ['sparsity', -0.1], ['sparsity', 'low'],
  ['weightSteps', 'single'], ['weightSteps', null], ['searchRowsPerEpoch', 0], ['searchRowsPerEpoch', 1e3 + 0.5],
];

test('invalid option values are rejected with ERR_AUTOFAS_OPTION and the option name', () => {
  for (const [name, value] of BAD) {
    assert.throws(
      () => parseSearchOptions({ [name]: value } as SearchOptions),
      (err: Error & { code?: string }) => err.code === 'ERR_AUTOFAS_OPTION' && err.message.includes(`\`${name}\``),
      `${name} = ${String(value)}`,
    );
  }
});

test('unknown options and lambda2 together with a budget are rejected', () => {
  assert.throws(() => parseSearchOptions({ epoch: 3 } as SearchOptions), { code: 'ERR_AUTOFAS_OPTION' });
  assert.throws(() => parseSearchOptions({ lambda2: 0.1, budgetUs: 500 }), { code: 'ERR_AUTOFAS_OPTION' });
});

test('defaults are filled once and the config round-trips through toConfig/fromConfig', () => {
  const config = parseSearchOptions({ budgetUs: 700, widths: [32, 128, 64], sparsity: 0.2 });
  assert.deepEqual(config.widths, [128, 64, 32]);
  assert.equal(parseSearchOptions().sparsity, 0.5);
  assert.equal(config.distill, 'listwise');
  assert.equal(config.budgetUs, 700);
  assert.deepEqual(fromConfig(JSON.parse(JSON.stringify(toConfig(config)))), config);
});

test('a search epoch passes over the weight rows, up to searchRowsPerEpoch of them', () => {
  const config = parseSearchOptions({ requestsPerBatch: 4, candidatesPerRequest: 256 });
  assert.equal(config.weightSteps, 'path');
  assert.equal(searchStepsPerEpoch(100_000, config), 98);
  assert.equal(searchStepsPerEpoch(1_120_000, config), 512);
  assert.equal(searchStepsPerEpoch(1_120_000, parseSearchOptions({ searchRowsPerEpoch: 2 ** 30 })), 1094);
  assert.equal(searchStepsPerEpoch(10, config), 1);
});

test('logs too small to split by request are ERR_AUTOFAS_SEARCH', async () => {
  const tiny = subsetRequests(await fixtureDataset(), [0, 1, 2]);
  await assert.rejects(runSearch(tiny, { epochs: 1 }), { code: 'ERR_AUTOFAS_SEARCH' });
});
