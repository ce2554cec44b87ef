// The search-time supernet: per-feature embeddings behind Bernoulli feature gates, L Mixops, a scoring head.
import type { Feature } from '../../schema/feature-spec.js';
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

  /**
   * Builds the training graph in rows layout: gated embeddings -> Mixops -> score [N] -> losses.
   * Returns the graph, the score, the losses, and the params split by who updates them.
   */
  build(mode: SearchConfig['distill'], lambda1: number, candidatesPerRequest: number): SupernetGraph {
    const g = new Graph('autofas_supernet');
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
    let h = g.mul(x, g.matmul(gates, g.constant(spread, [this.features.length, this.inWidth()])));
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
