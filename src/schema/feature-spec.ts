// The feature spec (features.json): which features exist, on which side, of which type, from which source, at what cost.
import { z } from 'zod';
import { autofasError } from './errors.js';
import { readJsonFile } from './json-file.js';
import { formatZodIssues } from './zod-issues.js';

export const FEATURE_SPEC_VERSION = 1;

/**
 * Names every plain object already answers (`__proto__`, `constructor`, `toString`, ...): a feature so named would be
 * read from the prototype where a log or request leaves it out, or would rewrite the prototype of a feature map.
 */
export const RESERVED_FEATURE_NAMES: readonly string[] = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'].sort();

const featureName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_.:-]*$/, 'must start with a letter or _ and hold only letters, digits, _ . : -')
  .superRefine((name, ctx) => {
    if (RESERVED_FEATURE_NAMES.includes(name)) {
      ctx.addIssue({ code: 'custom', message: `"${name}" is reserved (every JavaScript object has it); rename the feature` });
    }
  });
const categoricalValue = z.union([z.string(), z.number().int()]);

const common = {
  name: featureName,
  side: z.enum(['context', 'item', 'cross']),
  source: z.enum(['request', 'store']),
  costUs: z.number().finite().nonnegative().optional(),
  description: z.string().optional(),
};

export const numericFeatureSchema = z.strictObject({
  ...common,
  type: z.literal('numeric'),
  default: z.number().finite().optional(),
});

export const categoricalFeatureSchema = z
  .strictObject({
    ...common,
    type: z.literal('categorical'),
    vocab: z.array(categoricalValue).min(1).optional(),
    hashBuckets: z.number().int().min(2).max(1 << 24).optional(),
    default: categoricalValue.optional(),
  })
  .refine((f) => (f.vocab === undefined) !== (f.hashBuckets === undefined), {
    message: 'a categorical feature needs exactly one of `vocab` or `hashBuckets`',
  });

export const vectorFeatureSchema = z
  .strictObject({
    ...common,
    type: z.literal('vector'),
    dim: z.number().int().min(1).max(4096),
    default: z.array(z.number().finite()).optional(),
  })
  .refine((f) => f.default === undefined || f.default.length === f.dim, {
    message: '`default` must have `dim` entries',
  });

export const featureSchema = z.discriminatedUnion('type', [numericFeatureSchema, categoricalFeatureSchema, vectorFeatureSchema]);

export const featureSpecSchema = z
  .strictObject({
    version: z.literal(FEATURE_SPEC_VERSION),
    features: z.array(featureSchema).min(1),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.features.forEach((f, i) => {
      if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: ['features', i, 'name'], message: `duplicate feature name "${f.name}"` });
      seen.add(f.name);
    });
  });

export type NumericFeature = z.infer<typeof numericFeatureSchema>;
export type CategoricalFeature = z.infer<typeof categoricalFeatureSchema>;
export type VectorFeature = z.infer<typeof vectorFeatureSchema>;
export type Feature = z.infer<typeof featureSchema>;
export type FeatureSpec = z.infer<typeof featureSpecSchema>;
export type FeatureSide = Feature['side'];
export type FeatureSource = Feature['source'];

/** Validates a parsed features.json object; `origin` names the file in errors. */
export function parseFeatureSpec(json: unknown, origin = 'features.json'): FeatureSpec {
  const result = featureSpecSchema.safeParse(json);
  if (!result.success) {
    throw autofasError('ERR_AUTOFAS_FEATURE_SPEC', `${origin}: ${formatZodIssues(result.error.issues)}`, { origin });
  }
  return result.data;
}

/** Reads and validates a features.json file. */
export async function loadFeatureSpec(path: string): Promise<FeatureSpec> {
  const { json } = await readJsonFile(path, 'ERR_AUTOFAS_FEATURE_SPEC', 'feature spec');
  return parseFeatureSpec(json, path);
}

/** Width of a feature's encoded column: 1 for numeric and categorical, `dim` for vectors. */
export function featureWidth(feature: Feature): number {
  return feature.type === 'vector' ? feature.dim : 1;
}

/** Per-lookup fetch cost in microseconds (0 when the spec declares none). */
export function featureCostUs(feature: Feature): number {
  return feature.costUs ?? 0;
}
