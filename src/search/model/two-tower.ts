// The vector baseline's network: score = <context tower(context features), item tower(item features)>, each tower a
// dense ReLU stack over the shared input embeddings, then a linear projection; it trains like every other network.
import type { Feature } from '../../schema/feature-spec.js';
import type { CardInput } from '../../schema/model-card.js';
import { encodeModel } from '../../graph/builder.js';
import { Graph, type Value } from '../../graph/graph.js';
import { initParam } from '../../graph/init.js';
import type { Rng } from '../../util/random.js';
import type { DistillMode } from '../search/config.js';
import { InputBlock, type Normalisation } from './inputs.js';
import { buildLosses } from './losses.js';
import { SCORE_OUTPUT } from './mlp.js';
import type { ExportableModel } from './trainable.js';

export const CONTEXT_EMBEDDING_OUTPUT = 'context_embedding';
export const ITEM_EMBEDDING_OUTPUT = 'item_embedding';

/** The saved form of a two-tower model. */
export interface TwoTowerArchitecture {
  /** Hidden widths of each tower. */
  readonly towerLayers: readonly number[];
  /** Width of the context and item embeddings whose dot product is the score. */
  readonly vectorDim: number;
  /** Embedding width of each categorical feature. */
  readonly embeddingDim: number;
}

/** One tower's weights: dense ReLU layers, then a linear projection to the vector width. */
class Tower {
  readonly inputs: InputBlock;
  private readonly weights: Float32Array[] = [];
  private readonly biases: Float32Array[] = [];
  private readonly dims: number[];

  constructor(readonly name: string, features: readonly Feature[], stats: ReadonlyMap<string, Normalisation>, arch: TwoTowerArchitecture, rng: Rng) {
    this.inputs = new InputBlock(features, stats, arch.embeddingDim, rng);
    this.dims = [features.reduce((s, f) => s + this.inputs.width(f), 0), ...arch.towerLayers, arch.vectorDim];
    for (let l = 1; l < this.dims.length; l++) {
      this.weights.push(initParam([this.dims[l - 1], this.dims[l]], l === this.dims.length - 1 ? 'xavier' : 'he', rng));
      this.biases.push(new Float32Array(this.dims[l]));
    }
  }

  /** The tower's embedding [batch, vectorDim] of its features' inputs. */
  forward(g: Graph, layout: 'rows' | 'serving'): Value {
    const embeds = this.inputs.features.map((f) => this.inputs.embed(g, f, this.inputs.input(g, f, layout)));
    let h = embeds.length === 1 ? embeds[0] : g.concat(embeds, 1);
    this.weights.forEach((w, l) => {
      if (l > 0) h = g.relu(h);
      const [dIn, dOut] = [this.dims[l], this.dims[l + 1]];
      h = g.add(g.matmul(h, g.param(`${this.name}_w${l}`, [dIn, dOut], w)), g.param(`${this.name}_b${l}`, [dOut], this.biases[l]));
    });
    return h;
  }
}

export class TwoTower implements ExportableModel {
  readonly features: readonly Feature[];
  readonly architecture: TwoTowerArchitecture;
  private readonly context: Tower;
  private readonly item: Tower;

  /** `context` and `item` features in input order; cross features cannot enter (item embeddings are cached per item). */
  constructor(context: readonly Feature[], item: readonly Feature[], architecture: TwoTowerArchitecture, stats: ReadonlyMap<string, Normalisation>, rng: Rng) {
    this.features = [...context, ...item];
    this.architecture = architecture;
    this.context = new Tower('ctx', context, stats, architecture, rng);
    this.item = new Tower('item', item, stats, architecture, rng);
  }

  private forward(g: Graph, layout: 'rows' | 'serving'): { score: Value; contextEmbedding: Value; itemEmbedding: Value } {
    const contextEmbedding = this.context.forward(g, layout);
    const itemEmbedding = this.item.forward(g, layout);
    return { score: g.reduceSum(g.mul(itemEmbedding, contextEmbedding), [1]), contextEmbedding, itemEmbedding };
  }

  buildTrain(mode: DistillMode, lambda1: number, candidatesPerRequest: number) {
    const g = new Graph('autofas_two_tower_train');
    const { score } = this.forward(g, 'rows');
    return { g, score, losses: buildLosses(g, score, mode, lambda1, candidatesPerRequest) };
  }

  buildScore() {
    const g = new Graph('autofas_two_tower_score');
    return { g, score: this.forward(g, 'rows').score };
  }

  /** The serving model: outputs `score` [N] and both tower embeddings (the context one at batch 1). */
  exportModel(metadata: Readonly<Record<string, string>> = {}): Uint8Array {
    const g = new Graph('autofas_vector');
    const out = this.forward(g, 'serving');
    g.output(out.score, SCORE_OUTPUT);
    g.output(out.contextEmbedding, CONTEXT_EMBEDDING_OUTPUT);
    g.output(out.itemEmbedding, ITEM_EMBEDDING_OUTPUT);
    return encodeModel(g.toModel({ metadata }));
  }

  cardInputs(): CardInput[] {
    return [...this.context.inputs.cardInputs(), ...this.item.inputs.cardInputs()];
  }
}
