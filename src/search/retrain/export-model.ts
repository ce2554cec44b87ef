// The searched model's card (selected features, architecture, latency, metrics, provenance) and its atomic write.
import { sha256Hex, writeArtifact, type CardDraft } from '../../schema/artifact.js';
import { makeModelId, parseModelCard, type ModelCard } from '../../schema/model-card.js';
import type { SearchConfig } from '../search/config.js';
import type { Derived } from '../derive/derive.js';
import { SCORE_OUTPUT, type Mlp } from '../model/mlp.js';
import type { Supernet } from '../model/supernet.js';
import type { FeatureCostSource } from '../../schema/feature-costs.js';
import type { RedundantFeature } from '../data/redundancy.js';

/** Where a model came from (hashes of the logs and the spec, the tool, the command line). */
export interface SearchProvenance {
  readonly logsHash: string;
  readonly specHash: string;
  readonly toolVersion: string;
  readonly command?: string;
  /** Which feature costs the latency model used. */
  readonly featureCosts?: FeatureCostSource;
}

/** Everything the card is made from. */
export interface ExportInput {
  readonly out?: string;
  readonly mlp: Mlp;
  readonly bytes: Uint8Array;
  readonly derived: Derived;
  readonly config: SearchConfig;
  readonly supernet: Supernet;
  readonly lambda2: number;
  readonly measuredUs: number;
  readonly validRecall?: number;
  readonly test: Record<string, number>;
  readonly provenance?: SearchProvenance;
  readonly redundant?: readonly RedundantFeature[];
}

/** Builds the card; writes model.onnx + model.json atomically to `out` when given. */
export async function exportSearched(input: ExportInput): Promise<ModelCard> {
  const { config, derived } = input;
  const provenance = input.provenance ?? { logsHash: 'unknown', specHash: 'unknown', toolVersion: 'autofas/unknown' };
  const draft: CardDraft = {
    version: 1,
    kind: 'autofas',
    inputs: input.mlp.cardInputs(),
    outputs: { score: SCORE_OUTPUT },
    architecture: {
      type: 'mlp',
      ...input.mlp.toConfig(),
      firstLayer: 'context part once per request, item part per candidate',
      searchSpace: input.supernet.toConfig(),
      lambda2: input.lambda2,
      ...(config.budgetUs !== undefined ? { budgetUs: config.budgetUs, withinBudget: input.measuredUs <= config.budgetUs } : {}),
      repairs: [...derived.repairs],
      redundant: (input.redundant ?? []).map((r) => ({ ...r })),
      distill: config.distill,
      lambda1: config.lambda1,
    },
    latency: {
      candidates: config.candidates,
      expectedUs: derived.totalUs,
      measuredUs: input.measuredUs,
      featureUs: derived.fetchUs,
      networkUs: input.measuredUs - derived.fetchUs,
    },
    metrics: {
      validation: input.validRecall !== undefined ? { [`recall@${config.recallK}`]: input.validRecall } : {},
      test: input.test,
    },
    provenance: { ...provenance, seed: config.seed, createdAt: new Date().toISOString() },
  };
  if (input.out) return writeArtifact(input.out, draft, input.bytes);
  return parseModelCard({ ...draft, modelId: makeModelId('autofas', sha256Hex(input.bytes)) });
}
