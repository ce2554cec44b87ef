// A tiny seeded teacher-log world for the baseline and evaluate tests: the teacher leans on a cross feature.
import { parseFeatureSpec, type FeatureSpec } from '../../src/schema/feature-spec.js';
import { DatasetBuilder } from '../../src/search/data/dataset-builder.js';
import type { Dataset } from '../../src/search/data/dataset-types.js';
import { createRng } from '../../src/util/random.js';

export const toySpec: FeatureSpec = parseFeatureSpec({
  version: 1,
  features: [
    { name: 'user_age', side: 'context', type: 'numeric', source: 'request' },
    { name: 'user_segment', side: 'context', type: 'categorical', source: 'request', vocab: ['a', 'b', 'c', 'd'] },
    { name: 'item_quality', side: 'item', type: 'numeric', source: 'store', costUs: 20 },
    { name: 'item_topic', side: 'item', type: 'categorical', source: 'store', hashBuckets: 32, costUs: 10 },
    { name: 'item_vec', side: 'item', type: 'vector', dim: 3, source: 'store', costUs: 30 },
    { name: 'affinity', side: 'cross', type: 'numeric', source: 'store', costUs: 300 },
  ],
});

/** Teacher-log records: score = 2.5 * affinity (cross) + quality + segment x topic match. */
export function toyRecords(requests: number, candidates: number, seed: number): object[] {
  const rng = createRng(seed);
  return Array.from({ length: requests }, (_, r) => {
    const segment = rng.int(4);
    const age = 20 + rng.int(50);
    return {
      request_id: `r${seed}-${r}`,
      context: { user_age: age, user_segment: 'abcd'[segment] },
      candidates: Array.from({ length: candidates }, (_, j) => {
        const topic = rng.int(8);
        const quality = rng.normal();
        const affinity = rng.normal();
        const vec = [rng.normal(), rng.normal(), rng.normal()];
        const score = 2.5 * affinity + quality + (topic % 4 === segment ? 1 : 0) + 0.3 * vec[0];
        return {
          item_id: `i${topic}-${j}`,
          features: { item_quality: quality, item_topic: `t${topic}`, item_vec: vec, affinity },
          teacher_score: score,
          label: rng.next() < 1 / (1 + Math.exp(-(score - 2))) ? 1 : 0,
        };
      }),
    };
  });
}

/** The toy records loaded into a columnar dataset. */
export function toyDataset(requests: number, candidates: number, seed: number): Dataset {
  const builder = new DatasetBuilder(toySpec, true);
  for (const record of toyRecords(requests, candidates, seed)) {
    const problem = builder.add(record);
    if (problem) throw new Error(`${problem.field}: ${problem.message}`);
  }
  return builder.finish();
}
