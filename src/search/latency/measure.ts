// Measures an exported model's network latency with onnxruntime-node: median run time for one request of N candidates.
import type { CardInput } from '../../schema/model-card.js';
import { createSession } from '../../graph/runtime.js';
import type { Dataset } from '../data/dataset-types.js';
import { measureLatencyUs } from './measure-models.js';
import { SCORE_OUTPUT } from '../model/mlp.js';

/** Median microseconds of one ORT run of `modelBytes` (an exported MLP) on `candidates` rows taken from `dataset`. */
export async function measureModelUs(
  modelBytes: Uint8Array,
  inputs: readonly CardInput[],
  dataset: Dataset,
  candidates: number,
  options: { readonly threads?: number; readonly repeats?: number } = {},
): Promise<number> {
  const session = await createSession(modelBytes, { threads: options.threads ?? 1 });
  try {
    return await measureLatencyUs(session, { inputs: [...inputs], outputs: { score: SCORE_OUTPUT } }, dataset, candidates, options.repeats ?? 40);
  } finally {
    await session.dispose();
  }
}
