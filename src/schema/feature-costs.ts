// The measured feature costs (costs.json) `autofas profile --store` writes and `autofas search --costs` reads.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { autofasError } from './errors.js';
import { readJsonFile } from './json-file.js';
import { loadFeatureSpec } from './feature-spec.js';
import type { FeatureSpec } from './feature-spec.js';
import { formatZodIssues } from './zod-issues.js';

const micros = z.number().finite().nonnegative();

export const featureCostsSchema = z.strictObject({
  version: z.literal(1),
  /** The store measured (URL without credentials). */
  store: z.string(),
  /** Candidates per batched fetch of an item or cross feature. */
  candidates: z.number().int().positive(),
  /** Timed requests per feature. */
  requests: z.number().int().positive(),
  measuredAt: z.string(),
  /** An empty round trip (PING), for reference: every batched fetch pays one. */
  pingUs: z.strictObject({ p50: micros, p99: micros }),
  features: z.record(
    z.string(),
    z.strictObject({
      side: z.enum(['context', 'item', 'cross']),
      /** `loaded`: ids and values already in the store; `probe`: spec-shaped values the profiler wrote and removed. */
      data: z.enum(['loaded', 'probe']),
      /** Reply bytes of one fetch (all candidates for item/cross, one value for context). */
      bytes: z.number().int().nonnegative(),
      p50Us: micros,
      p99Us: micros,
    }),
  ),
});

export type FeatureCosts = z.infer<typeof featureCostsSchema>;

/** Which costs a search used, as its model card records them. */
export interface FeatureCostSource {
  readonly source: 'declared' | 'measured';
  readonly file?: string;
  readonly sha256?: string;
  readonly store?: string;
  readonly measuredAt?: string;
  /** The statistic used as L_i. */
  readonly statistic?: 'p50';
}

/** Reads and validates costs.json (ERR_AUTOFAS_FEATURE_SPEC naming the file and field). */
export async function loadFeatureCosts(path: string): Promise<{ costs: FeatureCosts; sha256: string }> {
  const { text, json } = await readJsonFile(path, 'ERR_AUTOFAS_FEATURE_SPEC', 'feature costs');
  const parsed = featureCostsSchema.safeParse(json);
  if (!parsed.success) throw autofasError('ERR_AUTOFAS_FEATURE_SPEC', `${path}: ${formatZodIssues(parsed.error.issues)}`, { path });
  return { costs: parsed.data, sha256: createHash('sha256').update(text).digest('hex') };
}

/**
 * The spec with each store feature's `costUs` replaced by its measured p50 (the latency model's L_i). Every store
 * feature of the spec must have been measured, and on its side, else ERR_AUTOFAS_FEATURE_SPEC names it.
 */
export function applyFeatureCosts(spec: FeatureSpec, costs: FeatureCosts, origin: string): FeatureSpec {
  const features = spec.features.map((f) => {
    if (f.source !== 'store') return f;
    const measured = costs.features[f.name];
    if (!measured) throw autofasError('ERR_AUTOFAS_FEATURE_SPEC', `${origin}: store feature ${f.name} was not measured (run autofas profile --store with this spec)`, { feature: f.name });
    if (measured.side !== f.side) throw autofasError('ERR_AUTOFAS_FEATURE_SPEC', `${origin}: ${f.name} was measured as a ${measured.side} feature, the spec says ${f.side}`, { feature: f.name });
    return { ...f, costUs: Math.round(measured.p50Us * 10) / 10 };
  });
  return { ...spec, features };
}

/** The spec, with each store feature's cost replaced by its measured p50 when `--costs` is given; and which costs those are. */
export async function loadSpecWithCosts(specPath: string, costsPath?: string): Promise<{ spec: FeatureSpec; featureCosts: FeatureCostSource }> {
  const spec = await loadFeatureSpec(specPath);
  if (!costsPath) return { spec, featureCosts: { source: 'declared' } };
  const { costs, sha256 } = await loadFeatureCosts(costsPath);
  return {
    spec: applyFeatureCosts(spec, costs, costsPath),
    featureCosts: { source: 'measured', file: costsPath, sha256, store: costs.store, measuredAt: costs.measuredAt, statistic: 'p50' },
  };
}
