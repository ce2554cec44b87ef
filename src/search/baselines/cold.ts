// COLD baseline: an SE block learns per-feature weights on an all-feature MLP; the top-m features by mean weight
// are then trained from scratch in the fixed MLP (Wang et al., COLD, 2020).
import { Graph, type Value } from '../../graph/graph.js';
import { createSession } from '../../graph/runtime.js';
import { createTrainer, exportInference } from '../../graph/trainer.js';
import { createRng } from '../../util/random.js';
import type { Dataset } from '../data/dataset-types.js';
import { embedParts, planWidth, type InputPlan } from './feature-inputs.js';
import { parseBaselineOptions, type BaselineConfig, type TrainBaselineOptions } from './options.js';
import { ParamStore } from './params.js';
import { RequestSampler } from './sampler.js';
import { baselinePlans, lossOf, trainBaseline, type TrainedBaseline } from './train.js';

/** The SE-weighted MLP over every feature at batch B; returns the score and the SE weights [B, features]. */
function seNetwork(g: Graph, store: ParamStore, plans: readonly InputPlan[], layers: readonly number[], batch: number): { score: Value; weights: Value } {
  const parts = embedParts(g, store, plans, batch);
  const width = planWidth(plans);
  const z = g.concat(parts, 1);
  const squeeze = Math.max(4, Math.ceil(plans.length / 2));
  const h = g.relu(g.add(g.matmul(z, store.param(g, 'se.w1', [width, squeeze], 'he')), store.param(g, 'se.b1', [squeeze], 'zeros')));
  const weights = g.sigmoid(g.add(g.matmul(h, store.param(g, 'se.w2', [squeeze, plans.length], 'xavier')), store.param(g, 'se.b2', [plans.length], 'zeros')));
  const scaled = parts.map((p, f) => g.mul(p, g.slice(weights, [f], [f + 1], [1])));
  let x = g.concat(scaled, 1);
  let dIn = width;
  layers.forEach((w, i) => {
    x = g.relu(g.add(g.matmul(x, store.param(g, `se.fc${i}.w`, [dIn, w], 'he')), store.param(g, `se.fc${i}.b`, [w], 'zeros')));
    dIn = w;
  });
  const logit = g.add(g.matmul(x, store.param(g, 'se.out.w', [dIn, 1], 'xavier')), store.param(g, 'se.out.b', [1], 'zeros'));
  return { score: g.squeeze(logit, [1]), weights };
}

/** Trains the SE network for a third of the steps and returns the mean SE weight of every feature. */
export async function seImportance(train: Dataset, config: BaselineConfig): Promise<Record<string, number>> {
  const rng = createRng(config.seed + 1);
  const store = new ParamStore(rng.fork());
  const { context, item } = baselinePlans(train, { ...config, kind: 'dnn-all' });
  const plans = [...context, ...item];
  const B = config.batchRequests * config.sample;
  const g = new Graph('cold-se-train');
  const trainer = await createTrainer(g, lossOf(g, seNetwork(g, store, plans, config.layers, B).score, config), { lr: config.lr, threads: config.threads, clipNorm: 5 });
  const sampler = new RequestSampler(train, plans, rng.fork(), { ...config, requests: config.batchRequests });
  try {
    for (let step = 0; step < Math.max(50, Math.round(config.steps / 3)); step++) await trainer.step(sampler.next());
  } finally {
    await trainer.dispose();
  }
  const probe = new Graph('cold-se-weights');
  const { weights } = seNetwork(probe, store, plans, config.layers, B);
  const session = await createSession(exportInference(probe, [probe.output(weights, 'se_weights')]), { threads: config.threads });
  const sums = new Float64Array(plans.length);
  const batches = 8;
  try {
    for (let b = 0; b < batches; b++) {
      const w = (await session.run(sampler.next(), ['se_weights'])).se_weights.data as Float32Array;
      for (let i = 0; i < w.length; i++) sums[i % plans.length] += w[i];
    }
  } finally {
    await session.dispose();
  }
  return Object.fromEntries(plans.map((p, f) => [p.feature.name, sums[f] / (batches * B)]));
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
