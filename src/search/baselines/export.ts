// Exports a trained baseline as a model artifact (model.onnx + model.json) in the shared format.
import { createSession } from '../../graph/runtime.js';
import { writeArtifact, type CardDraft } from '../../schema/artifact.js';
import type { ModelCard } from '../../schema/model-card.js';
import type { Dataset } from '../data/dataset-types.js';
import { featureFetchUs } from '../evaluate/cost.js';
import { defaultBetaUs, measureLatencyUs } from '../evaluate/evaluate.js';
import { SCORE_OUTPUT } from '../model/mlp.js';
import { CONTEXT_EMBEDDING_OUTPUT, ITEM_EMBEDDING_OUTPUT } from '../model/two-tower.js';
import type { TrainedBaseline } from './train.js';

/** Where the training data came from (the card's provenance). */
export interface BaselineProvenance {
  readonly logsHash: string;
  readonly specHash: string;
  readonly toolVersion: string;
  readonly command?: string;
}

function architecture(trained: TrainedBaseline): Record<string, unknown> {
  const c = trained.config;
  const shape = c.kind === 'vector'
    ? { contextTower: c.towerLayers, itemTower: c.towerLayers, vectorDim: c.vectorDim, crossFeatures: 'excluded (item embeddings are cached per item)' }
    : { layers: c.layers };
  const cold = trained.importance ? { selection: 'SE-block importance, top features', importance: trained.importance } : {};
  const params = trained.model.buildScore().g.params.reduce((n, p) => n + p.data.length, 0);
  return {
    ...shape, ...cold, embeddingDim: c.embeddingDim, params, distill: c.distill, lambda1: c.lambda1, epochs: c.epochs,
    requestsPerBatch: c.requestsPerBatch, candidatesPerRequest: c.candidatesPerRequest, trainer: 'the searched model\'s retrain (trainMlp)',
  };
}

/** The card's outputs: the score, and for the vector model both tower embeddings. */
function outputs(trained: TrainedBaseline): ModelCard['outputs'] {
  return trained.config.kind === 'vector'
    ? { score: SCORE_OUTPUT, contextEmbedding: CONTEXT_EMBEDDING_OUTPUT, itemEmbedding: ITEM_EMBEDDING_OUTPUT }
    : { score: SCORE_OUTPUT };
}

/** The card draft and ONNX bytes of a trained baseline; latency is measured on `dataset` rows when given. */
export async function baselineArtifact(trained: TrainedBaseline, provenance: BaselineProvenance, dataset?: Dataset): Promise<{ draft: CardDraft; bytes: Uint8Array }> {
  const bytes = trained.model.exportModel();
  const card = { inputs: trained.model.cardInputs(), outputs: outputs(trained) };
  const features = card.inputs.map((i) => i.feature);
  const featureUs = featureFetchUs(features, await defaultBetaUs());
  let networkUs: number | undefined;
  if (dataset && dataset.rows > 0) {
    const session = await createSession(bytes, { threads: 1 });
    try {
      networkUs = await measureLatencyUs(session, card, dataset, 1000, 30);
    } finally {
      await session.dispose();
    }
  }
  const metrics: ModelCard['metrics'] = trained.validRecall === undefined ? {} : { validation: { [`recallAt${trained.config.recallK}`]: trained.validRecall } };
  const draft: CardDraft = {
    version: 1,
    kind: trained.config.kind,
    inputs: card.inputs,
    outputs: card.outputs,
    architecture: architecture(trained),
    latency: {
      candidates: 1000,
      featureUs,
      ...(networkUs === undefined ? {} : { networkUs, measuredUs: networkUs + featureUs }),
    },
    metrics,
    provenance: { ...provenance, seed: trained.config.seed, createdAt: new Date().toISOString() },
  };
  return { draft, bytes };
}

/** Writes the baseline's artifact to `dir` atomically and returns its card. */
export async function writeBaseline(dir: string, trained: TrainedBaseline, provenance: BaselineProvenance, dataset?: Dataset): Promise<ModelCard> {
  const { draft, bytes } = await baselineArtifact(trained, provenance, dataset);
  return writeArtifact(dir, draft, bytes);
}
