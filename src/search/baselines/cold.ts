// COLD baseline: an SE block learns per-feature weights on an all-feature MLP; the top-m features by mean weight
// are then trained from scratch in the fixed MLP (Wang et al., COLD, 2020). Both networks train on the shared stack.
import type { Feature } from '../../schema/feature-spec.js';
import { Graph, type Value } from '../../graph/graph.js';
import { initParam, type InitKind } from '../../graph/init.js';
import { createSession } from '../../graph/runtime.js';
import { exportInference } from '../../graph/trainer.js';
import { createRng, type Rng } from '../../util/random.js';
import { rowFeeds } from '../data/batches.js';
import type { Dataset } from '../data/dataset-types.js';
import { InputBlock, numericStats, type Normalisation } from '../model/inputs.js';
import { buildLosses } from '../model/losses.js';
import type { TrainableModel } from '../model/trainable.js';
import type { DistillMode } from '../search/config.js';
import { trainMlp } from '../retrain/mlp-train.js';
import { parseBaselineOptions, type BaselineConfig, type TrainBaselineOptions } from './options.js';
import { baselineFeatures, trainBaseline, type TrainedBaseline } from './train.js';

/** COLD's selection network: an SE block weighs each feature's embedding, then an MLP scores the weighted concat. */
class SeNetwork implements TrainableModel {
  readonly features: readonly Feature[];
  private readonly inputs: InputBlock;
  private readonly params = new Map<string, { dims: number[]; data: Float32Array }>();
  private readonly layers: readonly number[];

  constructor(features: readonly Feature[], stats: ReadonlyMap<string, Normalisation>, layers: readonly number[], embeddingDim: number, rng: Rng) {
    this.features = features;
    this.layers = layers;
    this.inputs = new InputBlock(features, stats, embeddingDim, rng);
    const width = features.reduce((s, f) => s + this.inputs.width(f), 0);
    const squeeze = Math.max(4, Math.ceil(features.length / 2));
    const add = (name: string, dims: number[], init: InitKind): void => void this.params.set(name, { dims, data: initParam(dims, init, rng) });
    add('se_w1', [width, squeeze], 'he');
    add('se_b1', [squeeze], 'zeros');
    add('se_w2', [squeeze, features.length], 'xavier');
    add('se_b2', [features.length], 'zeros');
    [width, ...layers].forEach((dIn, l) => {
      const dOut = l < layers.length ? layers[l] : 1;
      add(`fc${l}_w`, [dIn, dOut], l < layers.length ? 'he' : 'xavier');
      add(`fc${l}_b`, [dOut], 'zeros');
    });
  }

  private param(g: Graph, name: string): Value {
    const p = this.params.get(name) as { dims: number[]; data: Float32Array };
    return g.param(name, p.dims, p.data);
  }

  private dense(g: Graph, x: Value, w: string, b: string): Value {
    return g.add(g.matmul(x, this.param(g, w)), this.param(g, b));
  }

  /** The score [N] and the SE weights [N, features] in rows layout. */
  forward(g: Graph): { score: Value; weights: Value } {
    const parts = this.features.map((f) => this.inputs.embed(g, f, this.inputs.input(g, f, 'rows')));
    const z = g.concat(parts, 1);
    const weights = g.sigmoid(this.dense(g, g.relu(this.dense(g, z, 'se_w1', 'se_b1')), 'se_w2', 'se_b2'));
    let x = g.concat(parts.map((p, f) => g.mul(p, g.slice(weights, [f], [f + 1], [1]))), 1);
    for (let l = 0; l <= this.layers.length; l++) {
      x = this.dense(g, x, `fc${l}_w`, `fc${l}_b`);
      if (l < this.layers.length) x = g.relu(x);
    }
    return { score: g.reshape(x, [-1]), weights };
  }

  buildTrain(mode: DistillMode, lambda1: number, candidatesPerRequest: number) {
    const g = new Graph('cold_se_train');
    const { score } = this.forward(g);
    return { g, losses: buildLosses(g, score, mode, lambda1, candidatesPerRequest) };
  }

  buildScore() {
    const g = new Graph('cold_se_score');
    return { g, score: this.forward(g).score };
  }

  /** Mean SE weight of every feature over the rows of the first `requests` requests of `dataset`. */
  async meanWeights(dataset: Dataset, requests: number, threads: number): Promise<Record<string, number>> {
    const g = new Graph('cold_se_weights');
    const bytes = exportInference(g, [g.output(this.forward(g).weights, 'se_weights')]);
    const batch = rowFeeds(dataset, this.features, 0, Math.min(requests, dataset.requests));
    const session = await createSession(bytes, { threads });
    try {
      const w = (await session.run(batch.feeds, ['se_weights'])).se_weights.data as Float32Array;
      const sums = new Float64Array(this.features.length);
      for (let i = 0; i < w.length; i++) sums[i % this.features.length] += w[i];
      return Object.fromEntries(this.features.map((f, i) => [f.name, sums[i] / Math.max(1, batch.rows)]));
    } finally {
      await session.dispose();
    }
  }
}

/** Trains the SE network for a third of the epochs and returns the mean SE weight of every feature. */
export async function seImportance(train: Dataset, config: BaselineConfig): Promise<Record<string, number>> {
  const rng = createRng(config.seed + 1);
  const features = baselineFeatures(train, { kind: 'dnn-all', features: config.features });
  const network = new SeNetwork(features, numericStats(train, features), config.layers, config.embeddingDim, rng.fork());
  await trainMlp(network, train, { ...config, epochs: Math.max(1, Math.ceil(config.epochs / 3)), validation: undefined, onStep: undefined }, rng.fork());
  return network.meanWeights(train, 64, config.threads);
}

/** COLD: SE importance, keep the top `keepFeatures` features, train the fixed MLP on them (kind 'cold'). */
export async function trainCold(train: Dataset, options: TrainBaselineOptions = {}): Promise<TrainedBaseline> {
  const config = parseBaselineOptions({ ...options, kind: 'cold' });
  const importance = await seImportance(train, config);
  const ranked = Object.keys(importance).sort((a, b) => importance[b] - importance[a]);
  const keep = new Set(ranked.slice(0, config.keepFeatures ?? Math.ceil(ranked.length / 2)));
  const features = train.spec.features.map((f) => f.name).filter((name) => keep.has(name));
  const trained = await trainBaseline(train, { ...options, kind: 'cold', features });
  return { ...trained, importance };
}
