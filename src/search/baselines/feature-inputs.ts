// Graph inputs of a baseline: one input per feature (the shared encoder layout) turned into a dense embedding row.
import type { Dim } from '../../graph/builder.js';
import type { Graph, Value } from '../../graph/graph.js';
import { categoricalCardinality, inputLayout, type InputLayout } from '../../schema/encoder.js';
import type { Feature } from '../../schema/feature-spec.js';
import type { CardInput } from '../../schema/model-card.js';
import type { Dataset } from '../data/dataset-types.js';
import type { ParamStore } from './params.js';

/** How one feature enters a model: its encoder layout, normalisation and embedding width. */
export interface InputPlan {
  readonly feature: Feature;
  readonly layout: InputLayout;
  /** (x - mean) / std for numeric and vector features, computed on the training rows. */
  readonly normalisation?: { readonly mean: number; readonly std: number };
  /** Width of the feature's dense row: embedding dim for categorical, else the encoded width. */
  readonly width: number;
}

function columnStats(data: Float32Array): { mean: number; std: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < data.length; i++) {
    sum += data[i];
    sq += data[i] * data[i];
  }
  const n = Math.max(1, data.length);
  const mean = sum / n;
  const std = Math.sqrt(Math.max(0, sq / n - mean * mean));
  return { mean: Math.fround(mean), std: std > 1e-6 ? Math.fround(std) : 1 };
}

/** Plans the inputs of `features`, taking normalisation statistics from the dataset's columns. */
export function planInputs(features: readonly Feature[], dataset: Dataset, embedDim: number): InputPlan[] {
  return features.map((feature) => {
    const layout = inputLayout(feature);
    if (feature.type === 'categorical') return { feature, layout, width: embedDim };
    const column = (feature.side === 'context' ? dataset.context : dataset.columns).get(feature.name) as Float32Array;
    return { feature, layout, normalisation: columnStats(column), width: layout.width };
  });
}

/** Card entries for the planned inputs (dims as served: context batch 1, item and cross batch N). */
export function cardInputs(plans: readonly InputPlan[]): CardInput[] {
  return plans.map((p) => ({
    feature: p.feature,
    input: p.layout.name,
    dtype: p.layout.dtype,
    dims: [...p.layout.dims],
    ...(p.normalisation ? { normalisation: p.normalisation } : {}),
  }));
}

/** Declares the inputs of `plans` with leading dim `batch` and returns each feature's dense row [batch, width]. */
export function embedParts(g: Graph, store: ParamStore, plans: readonly InputPlan[], batch: Dim): Value[] {
  return plans.map((p) => {
    if (p.feature.type === 'categorical') {
      const ids = g.input(p.layout.name, 'int32', [batch]);
      const table = store.param(g, `emb.${p.feature.name}`, [categoricalCardinality(p.feature), p.width], 'normal', 0.05);
      return g.gather(table, ids);
    }
    const x = g.input(p.layout.name, 'float32', [batch, p.layout.width]);
    const norm = p.normalisation as { mean: number; std: number };
    return g.div(g.sub(x, norm.mean), norm.std);
  });
}

/** The features' dense rows concatenated to [batch, sum of widths], or null when `plans` is empty. */
export function embedInputs(g: Graph, store: ParamStore, plans: readonly InputPlan[], batch: Dim): Value | null {
  const parts = embedParts(g, store, plans, batch);
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0] : g.concat(parts, 1);
}

/** Total dense width of the planned inputs. */
export function planWidth(plans: readonly InputPlan[]): number {
  return plans.reduce((sum, p) => sum + p.width, 0);
}
