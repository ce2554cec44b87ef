// The inference model of a trained baseline: the same forward at serving dims (context batch 1, candidates N).
import { Graph } from '../../graph/graph.js';
import { exportInference } from '../../graph/trainer.js';
import type { ModelCard } from '../../schema/model-card.js';
import { cardInputs } from './feature-inputs.js';
import { baselineForward, type BaselinePlans } from './models.js';
import type { BaselineConfig } from './options.js';
import type { ParamStore } from './params.js';


export const SCORE_OUTPUT = 'score';
export const CONTEXT_EMBEDDING_OUTPUT = 'context_embedding';
export const ITEM_EMBEDDING_OUTPUT = 'item_embedding';

/** ONNX bytes of the served model and the card fields that describe its inputs and outputs. */
export function inferenceBytes(trained: { config: BaselineConfig; plans: BaselinePlans; store: ParamStore }): {
  bytes: Uint8Array;
  card: Pick<ModelCard, 'inputs' | 'outputs'>;
} {
  const g = new Graph(`autofas-${trained.config.kind}`);
  const out = baselineForward(g, trained.store, trained, { context: 1, item: 'N' });
  const outputs = [g.output(out.score, SCORE_OUTPUT)];
  if (out.contextEmbedding && out.itemEmbedding) {
    outputs.push(g.output(out.contextEmbedding, CONTEXT_EMBEDDING_OUTPUT), g.output(out.itemEmbedding, ITEM_EMBEDDING_OUTPUT));
  }
  const card = {
    inputs: cardInputs([...trained.plans.context, ...trained.plans.item]),
    outputs: out.contextEmbedding
      ? { score: SCORE_OUTPUT, contextEmbedding: CONTEXT_EMBEDDING_OUTPUT, itemEmbedding: ITEM_EMBEDDING_OUTPUT }
      : { score: SCORE_OUTPUT },
  };
  return { bytes: exportInference(g, outputs), card };
}
