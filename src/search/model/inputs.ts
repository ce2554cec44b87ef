// Per-feature input embeddings shared by the supernet, the fixed MLP and the exported model: categorical tables
// (vocab or hash buckets), numeric (x - mean) / std inside the graph, vectors as they are.
import type { Feature } from '../../schema/feature-spec.js';
import type { CardInput } from '../../schema/model-card.js';
import { featureWidth } from '../../schema/feature-spec.js';
import { categoricalCardinality, inputLayout } from '../../schema/encoder.js';
import type { Graph, Value } from '../../graph/graph.js';
import { initParam } from '../../graph/init.js';
import type { Rng } from '../../util/random.js';
import type { Dataset } from '../data/dataset-types.js';

/** Normalisation of a numeric feature, recorded in the model card too. */
export interface Normalisation {
  readonly mean: number;
  readonly std: number;
}

/** Mean and std of every numeric feature over a dataset (context features over requests, others over rows). */
export function numericStats(dataset: Dataset, features: readonly Feature[]): Map<string, Normalisation> {
  const out = new Map<string, Normalisation>();
  for (const f of features) {
    if (f.type !== 'numeric') continue;
    const col = (f.side === 'context' ? dataset.context : dataset.columns).get(f.name);
    if (!col || col.length === 0) {
      out.set(f.name, { mean: 0, std: 1 });
      continue;
    }
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < col.length; i++) {
      sum += col[i];
      sq += col[i] * col[i];
    }
    const mean = sum / col.length;
    const std = Math.sqrt(Math.max(sq / col.length - mean * mean, 0));
    out.set(f.name, { mean: Math.fround(mean), std: Math.fround(std > 1e-6 ? std : 1) });
  }
  return out;
}

/** Width a feature contributes to the first layer. */
export function embeddedWidth(feature: Feature, embeddingDim: number): number {
  return feature.type === 'categorical' ? embeddingDim : featureWidth(feature);
}

/** Embedding tables and normalisation of a feature set; tables are created once and reused across graphs. */
export class InputBlock {
  readonly features: readonly Feature[];
  readonly embeddingDim: number;
  readonly stats: ReadonlyMap<string, Normalisation>;
  readonly tables = new Map<string, Float32Array>();

  constructor(features: readonly Feature[], stats: ReadonlyMap<string, Normalisation>, embeddingDim: number, rng: Rng) {
    this.features = features;
    this.stats = stats;
    this.embeddingDim = embeddingDim;
    for (const f of features) {
      if (f.type === 'categorical') this.tables.set(f.name, initParam([categoricalCardinality(f), embeddingDim], 'normal', rng, { std: 0.1 }));
    }
  }

  width(feature: Feature): number {
    return embeddedWidth(feature, this.embeddingDim);
  }

  /** Declares the feature's graph input: training rows ('N' for every side) or serving layout (context batch 1). */
  input(g: Graph, feature: Feature, layout: 'rows' | 'serving'): Value {
    const l = inputLayout(feature);
    const dims = layout === 'rows' ? l.dims.map((d, i) => (i === 0 ? 'N' : d)) : l.dims;
    return g.input(l.name, l.dtype, dims);
  }

  /** The embedded value [B, width] of a feature's input. */
  embed(g: Graph, feature: Feature, x: Value): Value {
    if (feature.type === 'categorical') {
      const table = this.tables.get(feature.name) as Float32Array;
      return g.gather(g.param(`emb_${feature.name}`, [table.length / this.embeddingDim, this.embeddingDim], table), x);
    }
    if (feature.type === 'vector') return x;
    const s = this.stats.get(feature.name) ?? { mean: 0, std: 1 };
    return g.div(g.sub(x, s.mean), s.std);
  }

  /** The model card's entry of every feature, in input order (numeric features record their normalisation). */
  cardInputs(): CardInput[] {
    return this.features.map((feature) => {
      const l = inputLayout(feature);
      const norm = feature.type === 'numeric' ? this.stats.get(feature.name) : undefined;
      return { feature, input: l.name, dtype: l.dtype, dims: [...l.dims], ...(norm ? { normalisation: { mean: norm.mean, std: norm.std } } : {}) };
    });
  }

  /** The trainable arrays (embedding tables). */
  weightArrays(): Float32Array[] {
    return [...this.tables.values()];
  }
}
