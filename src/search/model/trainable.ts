// What the one trainer (retrain/mlp-train.ts) needs of a fixed network, and what an exported one gives the card:
// the derived MLP, the dnn-all/cold MLP, the vector two-tower model and cold's SE network all implement it.
import type { Feature } from '../../schema/feature-spec.js';
import type { CardInput } from '../../schema/model-card.js';
import type { Graph, Value } from '../../graph/graph.js';
import type { DistillMode } from '../search/config.js';
import type { LossValues } from './losses.js';

/** A network the trainer can fit: its features (rows-layout inputs), its training graph with losses, its scorer. */
export interface TrainableModel {
  readonly features: readonly Feature[];
  /** The training graph in rows layout (every input batch N), with losses. */
  buildTrain(mode: DistillMode, lambda1: number, candidatesPerRequest: number): { readonly g: Graph; readonly losses: LossValues };
  /** A rows-layout scoring graph (no losses). */
  buildScore(): { readonly g: Graph; readonly score: Value };
}

/** A trainable network that exports as a served model (context batch 1, candidates N). */
export interface ExportableModel extends TrainableModel {
  exportModel(metadata?: Readonly<Record<string, string>>): Uint8Array;
  /** The model card's inputs, in input order. */
  cardInputs(): CardInput[];
}
