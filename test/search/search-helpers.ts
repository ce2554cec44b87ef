// Shared setup of the searcher tests: the committed fixture world, loaded once per test file.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFixtures } from '../../src/fixtures/generate.js';
import { loadFeatureSpec } from '../../src/schema/feature-spec.js';
import { loadDataset } from '../../src/search/data/dataset.js';
import type { Dataset } from '../../src/search/data/dataset-types.js';

export const WORLD = fileURLToPath(new URL('../../../fixtures/world/', import.meta.url));

let cached: Promise<Dataset> | undefined;

/** The fixture world's teacher logs as a dataset (48 requests, ~35k candidate rows). */
export function fixtureDataset(): Promise<Dataset> {
  cached ??= (async () => {
    const spec = await loadFeatureSpec(`${WORLD}features.json`);
    return (await loadDataset([`${WORLD}logs.jsonl.gz`], spec, { itemIds: false })).dataset;
  })();
  return cached;
}

/**
 * A deterministic stand-in for timing the exported network with ORT: this "machine" runs it `slowerUs` slower than the
 * latency table says. Searches with a budget refine once more when the measured run is over it, so a real clock would
 * make their result depend on how loaded the test machine is.
 */
export function tableClock(slowerUs = 0): (bytes: Uint8Array, inputs: readonly unknown[], tableUs: number) => Promise<number> {
  return async (_bytes, _inputs, tableUs) => tableUs + slowerUs;
}

/** Features the fixture declares as pure noise, and the near-exact copy of a cheaper feature. */
export const NOISE = ['device', 'city', 'query_len', 'hour_of_day', 'item_age_days', 'item_brand', 'cross_noise'];
export const REDUNDANT = ['item_ctr_7d'];

/** Store features costing at least 50 us per lookup in the fixture spec. */
export function expensive(dataset: Dataset, names: readonly string[]): string[] {
  const cost = new Map(dataset.spec.features.map((f) => [f.name, f.costUs ?? 0]));
  return names.filter((n) => (cost.get(n) ?? 0) >= 50);
}

const crossWorlds = new Map<number, Promise<{ dataset: Dataset; dir: string }>>();

/**
 * A small cross world (`autofas fixtures --world cross`), generated once per test process into a temporary
 * directory: the default features plus a costly cross feature the teacher leans on and its cheap noisy proxy.
 */
export function crossWorld(requests = 60): Promise<{ dataset: Dataset; dir: string }> {
  let world = crossWorlds.get(requests);
  if (!world) {
    world = (async () => {
      const dir = await mkdtemp(join(tmpdir(), 'autofas-cross-'));
      await generateFixtures({ requests, out: dir, world: { kind: 'cross' } });
      const spec = await loadFeatureSpec(join(dir, 'features.json'));
      return { dataset: (await loadDataset([join(dir, 'logs.jsonl.gz')], spec, { itemIds: false })).dataset, dir };
    })();
    crossWorlds.set(requests, world);
  }
  return world;
}
