// Exports a trained baseline as a model artifact (model.onnx + model.json) in the shared format.
import { createSession } from '../../graph/runtime.js';
import { writeArtifact, type CardDraft } from '../../schema/artifact.js';
import type { ModelCard } from '../../schema/model-card.js';
import type { Dataset } from '../data/dataset-types.js';
import { featureFetchUs } from '../evaluate/cost.js';
import { defaultBetaUs, measureLatencyUs } from '../evaluate/evaluate.js';
import { inferenceBytes } from './inference.js';
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
    ? { contextTower: c.towerLayers, itemTower: c.towerLayers, embeddingDim: c.embeddingDim, crossFeatures: 'excluded (item embeddings are cached per item)' }
    : { layers: c.layers };
  const cold = trained.importance ? { selection: 'SE-block importance, top features', importance: trained.importance } : {};
  return { ...shape, ...cold, categoricalDim: c.categoricalDim, params: trained.store.size, distill: c.distill, steps: c.steps, batchRequests: c.batchRequests, sample: c.sample };
}

/** The card draft and ONNX bytes of a trained baseline; latency is measured on `dataset` rows when given. */
export async function baselineArtifact(trained: TrainedBaseline, provenance: BaselineProvenance, dataset?: Dataset): Promise<{ draft: CardDraft; bytes: Uint8Array }> {
  const { bytes, card } = inferenceBytes(trained);
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
  const metrics: ModelCard['metrics'] = trained.validRecall === undefined ? {} : { validation: { [`recallAt${trained.config.k}`]: trained.validRecall } };
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
