// Measures an exported model's network latency with onnxruntime-node: median run time for one request of N candidates.
import type { CardInput } from '../schema/model-card.js';
import type { ModelCard } from '../schema/model-card.js';
import { createSession } from '../graph/runtime.js';
import type { Dataset } from './dataset-types.js';
import { batchFeeds } from './evaluate-feeds.js';

/** Median microseconds of one ORT run of `modelBytes` on `candidates` rows taken from `dataset`. */
export async function measureModelUs(
  modelBytes: Uint8Array,
  inputs: readonly CardInput[],
  dataset: Dataset,
  candidates: number,
  options: { readonly threads?: number; readonly repeats?: number } = {},
): Promise<number> {
  const session = await createSession(modelBytes, { threads: options.threads ?? 1 });
  try {
    const feeds = batchFeeds({ inputs } as unknown as ModelCard, dataset, candidates);
    for (let i = 0; i < 5; i++) await session.run(feeds);
    const samples: number[] = [];
    for (let i = 0; i < (options.repeats ?? 40); i++) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      samples.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)];
  } finally {
    await session.dispose();
  }
}
