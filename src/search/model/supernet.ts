// The search-time supernet: per-feature embeddings behind Bernoulli feature gates, L Mixops, a scoring head.
import type { Feature } from '../../schema/feature-spec.js';
import type { Dim } from '../../graph/builder.js';
import { Graph, type ParamEntry, type Value } from '../../graph/graph.js';
import { initParam } from '../../graph/init.js';
import type { Rng } from '../../util/random.js';
import type { SearchConfig } from '../search/config.js';
import { InputBlock, type Normalisation } from './inputs.js';
import { buildLosses, type LossValues } from './losses.js';
import { Mixop, type MixopConfig, type OpConfig } from './mixop.js';

/** The saved form of a supernet's search space. */
export interface SupernetConfig {
  readonly features: readonly string[];
  readonly embeddingDim: number;
  readonly mixops: readonly MixopConfig[];
  /** Keep-probability every feature starts with. */
  readonly initialKeep: number;
}

/** The Mixop candidates of a config: Mixop 0 holds dense layers only, later ones add identity when asked. */
export function searchSpace(config: Pick<SearchConfig, 'widths' | 'mixops' | 'identity'>): MixopConfig[] {
  return Array.from({ length: config.mixops }, (_, l) => {
    const ops: OpConfig[] = config.widths.map((width) => ({ kind: 'dense', width }));
    if (l > 0 && config.identity) ops.push({ kind: 'identity' });
    return { ops };
  });
}

/** The supernet graph with its parameters; masks are logits phi (theta = sigmoid(phi)) owned here, updated outside. */
export class Supernet {
  readonly features: readonly Feature[];
  readonly inputs: InputBlock;
  readonly mixops: readonly Mixop[];
  /** Feature logits phi; theta_i = sigmoid(phi_i). */
  readonly phi: Float32Array;
  /** The gates fed to the graph this step (sampled outside). */
  readonly gates: Float32Array;
  private readonly head: Float32Array;
  private readonly headBias = new Float32Array(1);
  private readonly rng: Rng;
  private readonly initialKeep: number;

  constructor(features: readonly Feature[], stats: ReadonlyMap<string, Normalisation>, config: SupernetConfig, rng: Rng) {
    this.features = features;
    this.rng = rng;
    this.inputs = new InputBlock(features, stats, config.embeddingDim, rng);
    this.mixops = config.mixops.map((m, l) => Mixop.fromConfig(m, l));
    this.phi = new Float32Array(features.length).fill(Math.log(config.initialKeep / (1 - config.initialKeep)));
    this.initialKeep = config.initialKeep;
    this.gates = new Float32Array(features.length).fill(1);
    const width = this.outWidth();
    this.head = initParam([width, 1], 'xavier', rng);
  }

  toConfig(): SupernetConfig {
    return { features: this.features.map((f) => f.name), embeddingDim: this.inputs.embeddingDim, mixops: this.mixops.map((m) => m.toConfig()), initialKeep: this.initialKeep };
  }

  /** Width of the concatenated embeddings. */
  inWidth(): number {
    return this.features.reduce((s, f) => s + this.inputs.width(f), 0);
  }

  private outWidth(): number {
    return this.mixops.reduce((w, m) => m.outWidth(w), this.inWidth());
  }

  theta(): Float64Array {
    return Float64Array.from(this.phi, (p) => 1 / (1 + Math.exp(-p)));
  }

  /** Every array the weight steps train: embedding tables, each Mixop's weights and bias, the head. */
  weightArrays(): Float32Array[] {
    return [...this.inputs.weightArrays(), ...this.mixops.flatMap((m) => m.weightArrays()), this.head, this.headBias];
  }

  /** The head's weights [outWidth, 1] and bias. */
  headArrays(): { w: Float32Array; b: Float32Array } {
    return { w: this.head, b: this.headBias };
  }

  /** The gated, concatenated embeddings [N, inWidth] every graph of the supernet starts from. */
  private gatedInput(g: Graph): Value {
    const embeds = this.features.map((f) => this.inputs.embed(g, f, this.inputs.input(g, f, 'rows')));
    const x = embeds.length === 1 ? embeds[0] : g.concat(embeds, 1);
    const spread = new Float32Array(this.features.length * this.inWidth());
    let col = 0;
    this.features.forEach((f, i) => {
      const w = this.inputs.width(f);
      spread.fill(1, i * this.inWidth() + col, i * this.inWidth() + col + w);
      col += w;
    });
    const gates = g.param('feature_gates', [1, this.features.length], this.gates);
    return g.mul(x, g.matmul(gates, g.constant(spread, [this.features.length, this.inWidth()])));
  }

  /**
   * Builds the training graph in rows layout: gated embeddings -> Mixops -> score [N] -> losses.
   * Returns the graph, the score, the losses, and the params split by who updates them.
   */
  build(mode: SearchConfig['distill'], lambda1: number, candidatesPerRequest: number): SupernetGraph {
    const g = new Graph('autofas_supernet');
    let h = this.gatedInput(g);
    let width = this.inWidth();
    for (const m of this.mixops) {
      h = m.build(g, h, width, this.rng);
      width = m.outWidth(width);
    }
    const logits = g.add(g.matmul(h, g.param('head_w', [width, 1], this.head)), g.param('head_b', [1], this.headBias));
    const score = g.reshape(logits, [-1]);
    const losses = buildLosses(g, score, mode, lambda1, candidatesPerRequest);
    const params = g.params;
    const archNames = new Set(this.mixops.map((m) => `mix${m.index}_alpha`));
    return {
      g,
      score,
      losses,
      gateParam: params.find((p) => p.value.name === 'feature_gates') as ParamEntry,
      alphaParams: params.filter((p) => archNames.has(p.value.name)),
      weightParams: params.filter((p) => p.value.name !== 'feature_gates' && !archNames.has(p.value.name)),
    };
  }

  /**
   * One path through the supernet (ProxylessNAS): each Mixop runs a single operator, identity where `skip[l]`. Dense
   * widths are symbolic, so one graph serves every path with the same identity pattern; per step the sampled ops'
   * weight blocks are fed as `path{l}_w` [rows in, width] and `path{l}_b`, and the head's first rows as `path_head_w`.
   * Call after build() (which creates the Mixop weights).
   */
  buildPath(mode: SearchConfig['distill'], lambda1: number, candidatesPerRequest: number, skip: readonly boolean[]): SupernetPath {
    const g = new Graph('autofas_supernet_path');
    let h = this.gatedInput(g);
    let width: Dim = this.inWidth();
    const blocks: Value[] = [];
    this.mixops.forEach((m, l) => {
      if (skip[l]) return;
      const w = g.input(`path${l}_w`, 'float32', [width, `w${l}`]);
      const b = g.input(`path${l}_b`, 'float32', [`w${l}`]);
      h = g.relu(g.add(g.matmul(h, w), b));
      blocks.push(w, b);
      width = `w${l}`;
    });
    const headW = g.input('path_head_w', 'float32', [width, 1]);
    const score = g.reshape(g.add(g.matmul(h, headW), g.param('head_b', [1], this.headBias)), [-1]);
    const losses = buildLosses(g, score, mode, lambda1, candidatesPerRequest);
    return { g, losses, blocks: [...blocks, headW], weightParams: g.params.filter((p) => p.value.name !== 'feature_gates') };
  }
}

/** What Supernet#build returns. */
export interface SupernetGraph {
  readonly g: Graph;
  readonly score: Value;
  readonly losses: LossValues;
  readonly gateParam: ParamEntry;
  readonly alphaParams: readonly ParamEntry[];
  readonly weightParams: readonly ParamEntry[];
}

/** What Supernet#buildPath returns: the path's weight blocks (graph inputs, in layer order, head last) and its params. */
export interface SupernetPath {
  readonly g: Graph;
  readonly losses: LossValues;
  readonly blocks: readonly Value[];
  /** Embedding tables and the head bias (the feature gates are fed, not trained). */
  readonly weightParams: readonly ParamEntry[];
}
