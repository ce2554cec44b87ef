// A fixed-architecture MLP over chosen features (the derived AutoFAS network, and the dnn-all and cold baselines): its
// training graph, and its export graph whose first layer computes the context part once per request.
import type { Feature } from '../../schema/feature-spec.js';
import type { CardInput } from '../../schema/model-card.js';
import { encodeModel } from '../../graph/builder.js';
import { Graph, type Value } from '../../graph/graph.js';
import { initParam } from '../../graph/init.js';
import type { Rng } from '../../util/random.js';
import type { DistillMode } from '../search/config.js';
import { InputBlock, type Normalisation } from './inputs.js';
import { buildLosses, type LossValues } from './losses.js';
import type { ExportableModel } from './trainable.js';

/** The saved form of an MLP: features (input order), hidden widths, categorical embedding width. */
export interface MlpArchitecture {
  readonly features: readonly string[];
  readonly layers: readonly number[];
  readonly embeddingDim: number;
}

/** The name of the score output of exported models. */
export const SCORE_OUTPUT = 'score';

/** Training graph of an MLP. */
export interface MlpTrainGraph {
  readonly g: Graph;
  readonly score: Value;
  readonly losses: LossValues;
}

export class Mlp implements ExportableModel {
  readonly features: readonly Feature[];
  readonly layers: readonly number[];
  readonly inputs: InputBlock;
  private readonly ctxWeights: Float32Array;
  private readonly itemWeights: Float32Array;
  private readonly weights: Float32Array[] = [];
  private readonly biases: Float32Array[] = [];

  /** `features` in input order (the spec's order of the chosen names). */
  constructor(features: readonly Feature[], architecture: MlpArchitecture, stats: ReadonlyMap<string, Normalisation>, rng: Rng) {
    this.features = features;
    this.layers = architecture.layers;
    this.inputs = new InputBlock(features, stats, architecture.embeddingDim, rng);
    const first = architecture.layers[0] ?? 1;
    const fanIn = this.width('context') + this.width('item');
    // He init over the whole first-layer fan-in, split into the context and item blocks.
    const full = initParam([fanIn, first], architecture.layers.length ? 'he' : 'xavier', rng);
    this.ctxWeights = full.slice(0, this.width('context') * first);
    this.itemWeights = full.slice(this.width('context') * first);
    const dims = [...architecture.layers, 1];
    for (let l = 1; l < dims.length; l++) this.weights.push(initParam([dims[l - 1], dims[l]], l === dims.length - 1 ? 'xavier' : 'he', rng));
    for (const d of dims) this.biases.push(new Float32Array(d));
  }

  /** Builds an MLP from its saved form, taking the features from a spec's list. */
  static fromConfig(all: readonly Feature[], architecture: MlpArchitecture, stats: ReadonlyMap<string, Normalisation>, rng: Rng): Mlp {
    const chosen = new Set(architecture.features);
    return new Mlp(all.filter((f) => chosen.has(f.name)), architecture, stats, rng);
  }

  toConfig(): MlpArchitecture {
    return { features: this.features.map((f) => f.name), layers: [...this.layers], embeddingDim: this.inputs.embeddingDim };
  }

  private group(side: 'context' | 'item'): Feature[] {
    return this.features.filter((f) => (side === 'context' ? f.side === 'context' : f.side !== 'context'));
  }

  private width(side: 'context' | 'item'): number {
    return this.group(side).reduce((s, f) => s + this.inputs.width(f), 0);
  }

  /** score = head(relu(... relu(ctx W_ctx + item W_item + b1) ...)); ctx batch is 1 when serving, N when training. */
  private forward(g: Graph, layout: 'rows' | 'serving'): Value {
    const first = this.layers[0] ?? 1;
    const block = (side: 'context' | 'item', data: Float32Array): Value | null => {
      const fs = this.group(side);
      if (fs.length === 0) return null;
      const embeds = fs.map((f) => this.inputs.embed(g, f, this.inputs.input(g, f, layout)));
      const x = embeds.length === 1 ? embeds[0] : g.concat(embeds, 1);
      return g.matmul(x, g.param(`w0_${side}`, [this.width(side), first], data));
    };
    const ctx = block('context', this.ctxWeights);
    const item = block('item', this.itemWeights) as Value;
    let h = g.add(ctx ? g.add(item, ctx) : item, g.param('b0', [first], this.biases[0]));
    let width = first;
    this.weights.forEach((w, l) => {
      if (this.layers.length) h = g.relu(h);
      const out = l + 1 < this.layers.length ? this.layers[l + 1] : 1;
      h = g.add(g.matmul(h, g.param(`w${l + 1}`, [width, out], w)), g.param(`b${l + 1}`, [out], this.biases[l + 1]));
      width = out;
    });
    return g.reshape(h, [-1]);
  }

  /** The training graph in rows layout (every input batch N), with losses. */
  buildTrain(mode: DistillMode, lambda1: number, candidatesPerRequest: number): MlpTrainGraph {
    const g = new Graph('autofas_mlp_train');
    const score = this.forward(g, 'rows');
    const losses = buildLosses(g, score, mode, lambda1, candidatesPerRequest);
    return { g, score, losses };
  }

  /** A rows-layout scoring graph (no losses). */
  buildScore(): { g: Graph; score: Value } {
    const g = new Graph('autofas_mlp_score');
    return { g, score: this.forward(g, 'rows') };
  }

  /** The serving model: one input per feature (context batch 1), output `score` [N], weights baked in. */
  exportModel(metadata: Readonly<Record<string, string>> = {}): Uint8Array {
    const g = new Graph('autofas_model');
    g.output(this.forward(g, 'serving'), SCORE_OUTPUT);
    return encodeModel(g.toModel({ metadata }));
  }

  /** The model card's inputs, in input order. */
  cardInputs(): CardInput[] {
    return this.inputs.cardInputs();
  }
}
