// The model card (model.json): what a model artifact computes, from which features, at what cost, made how.
import { z } from 'zod';
import { inputLayout } from './encoder.js';
import { autofasError } from './errors.js';
import { featureSchema } from './feature-spec.js';
import type { Feature } from './feature-spec.js';
import { formatZodIssues } from './zod-issues.js';

export const MODEL_CARD_VERSION = 1;

/** Known model kinds; `teacher` is the fixture ranking model, the rest are pre-rankers. */
export const MODEL_KINDS = ['autofas', 'vector', 'dnn-all', 'cold', 'fscd', 'teacher'] as const;

const numericRecord = z.record(z.string(), z.number());

/** How a numeric feature is normalised inside the graph: (x - mean) / std (recorded here for readers). */
const normalisationSchema = z.strictObject({ mean: z.number().finite(), std: z.number().finite().positive() });

export const cardInputSchema = z.strictObject({
  feature: featureSchema,
  input: z.string().min(1),
  dtype: z.enum(['float32', 'int32']),
  dims: z.array(z.union([z.number().int().positive(), z.literal('N')])).min(1),
  normalisation: normalisationSchema.optional(),
});

export const modelCardSchema = z.strictObject({
  version: z.literal(MODEL_CARD_VERSION),
  modelId: z.string().regex(/^[a-z0-9-]+-[0-9a-f]{16}$/, 'must be `<kind>-<16 hex digits of the model.onnx sha256>`'),
  kind: z.enum(MODEL_KINDS),
  inputs: z.array(cardInputSchema).min(1),
  outputs: z.strictObject({
    score: z.string().min(1),
    contextEmbedding: z.string().min(1).optional(),
    itemEmbedding: z.string().min(1).optional(),
  }),
  architecture: z.record(z.string(), z.unknown()),
  latency: z.strictObject({
    candidates: z.number().int().positive(),
    expectedUs: z.number().nonnegative().optional(),
    measuredUs: z.number().nonnegative().optional(),
    featureUs: z.number().nonnegative().optional(),
    networkUs: z.number().nonnegative().optional(),
  }),
  metrics: z.record(z.string(), numericRecord),
  provenance: z.strictObject({
    logsHash: z.string(),
    specHash: z.string(),
    toolVersion: z.string(),
    seed: z.number().int(),
    createdAt: z.string(),
    command: z.string().optional(),
    /** Which feature costs the search's latency model used: the spec's declared `costUs`, or a measured costs.json. */
    featureCosts: z
      .strictObject({
        source: z.enum(['declared', 'measured']),
        file: z.string().optional(),
        sha256: z.string().optional(),
        store: z.string().optional(),
        measuredAt: z.string().optional(),
        statistic: z.literal('p50').optional(),
      })
      .optional(),
  }),
});

export type ModelCard = z.infer<typeof modelCardSchema>;
export type CardInput = z.infer<typeof cardInputSchema>;
export type ModelKind = ModelCard['kind'];

/** Validates a parsed model.json; `origin` names the file in errors. */
export function parseModelCard(json: unknown, origin = 'model.json'): ModelCard {
  const result = modelCardSchema.safeParse(json);
  if (!result.success) {
    throw autofasError('ERR_AUTOFAS_MODEL_CARD', `${origin}: ${formatZodIssues(result.error.issues)}`, { origin });
  }
  const names = new Set<string>();
  for (const input of result.data.inputs) {
    if (names.has(input.feature.name)) {
      throw autofasError('ERR_AUTOFAS_MODEL_CARD', `${origin}: inputs: feature "${input.feature.name}" listed twice`, { origin });
    }
    names.add(input.feature.name);
    const layout = inputLayout(input.feature);
    if (input.dtype !== layout.dtype || JSON.stringify(input.dims) !== JSON.stringify(layout.dims)) {
      const says = `${input.dtype} ${JSON.stringify(input.dims)}`;
      const wants = `${layout.dtype} ${JSON.stringify(layout.dims)}`;
      throw autofasError('ERR_AUTOFAS_MODEL_CARD', `${origin}: inputs: feature "${input.feature.name}" is ${says} but its encoder gives ${wants}`, { origin, feature: input.feature.name });
    }
  }
  return result.data;
}

/** The features a card's model reads, in input order. */
export function cardFeatures(card: ModelCard): Feature[] {
  return card.inputs.map((i) => i.feature);
}

/** The card id for a model: `<kind>-<first 16 hex digits of sha256(model.onnx)>`. */
export function makeModelId(kind: ModelKind, onnxSha256Hex: string): string {
  return `${kind}-${onnxSha256Hex.slice(0, 16)}`;
}
