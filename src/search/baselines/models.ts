// The baseline networks: a two-tower vector-product model and a fixed MLP over all features (COLD-style).
import type { Dim } from '../../graph/builder.js';
import type { Graph, Value } from '../../graph/graph.js';
import { embedInputs, planWidth, type InputPlan } from './feature-inputs.js';
import type { BaselineConfig } from './options.js';
import type { ParamStore } from './params.js';

/** Which features feed which part of a baseline. */
export interface BaselinePlans {
  /** Per-request features (batch 1 when served). */
  readonly context: readonly InputPlan[];
  /** Per-candidate features (item, plus cross for dnn-all). */
  readonly item: readonly InputPlan[];
}

/** What a forward pass returns: the score per candidate [batch], and the tower outputs of the vector model. */
export interface ForwardOutputs {
  readonly score: Value;
  readonly contextEmbedding?: Value;
  readonly itemEmbedding?: Value;
}

/** x @ W + b with W [dIn, dOut] (He init) and an optional ReLU. */
function dense(g: Graph, store: ParamStore, name: string, x: Value, dIn: number, dOut: number, relu: boolean): Value {
  const w = store.param(g, `${name}.w`, [dIn, dOut], relu ? 'he' : 'xavier');
  const b = store.param(g, `${name}.b`, [dOut], 'zeros');
  const y = g.add(g.matmul(x, w), b);
  return relu ? g.relu(y) : y;
}

/** A stack of dense ReLU layers of the given widths, then a linear projection to `outDim`. */
function tower(g: Graph, store: ParamStore, prefix: string, x: Value, dIn: number, widths: readonly number[], outDim: number): Value {
  let h = x;
  let width = dIn;
  widths.forEach((w, i) => {
    h = dense(g, store, `${prefix}.fc${i}`, h, width, w, true);
    width = w;
  });
  return dense(g, store, `${prefix}.out`, h, width, outDim, false);
}

/**
 * The MLP over all features. The first layer is split into a context part (computed on the batch-1 context row
 * once per request and broadcast) and a candidate part, which is the same function as one layer over the concat.
 */
function dnnForward(g: Graph, store: ParamStore, plans: BaselinePlans, layers: readonly number[], batch: { context: Dim; item: Dim }): ForwardOutputs {
  const ctx = embedInputs(g, store, plans.context, batch.context);
  const item = embedInputs(g, store, plans.item, batch.item);
  const first = layers[0];
  const parts: Value[] = [];
  if (ctx) parts.push(g.matmul(ctx, store.param(g, 'dnn.fc0.wc', [planWidth(plans.context), first], 'he')));
  if (item) parts.push(g.matmul(item, store.param(g, 'dnn.fc0.wi', [planWidth(plans.item), first], 'he')));
  let h = parts.length === 2 ? g.add(parts[1], parts[0]) : parts[0];
  h = g.relu(g.add(h, store.param(g, 'dnn.fc0.b', [first], 'zeros')));
  const logit = tower(g, store, 'dnn.up', h, first, layers.slice(1), 1);
  return { score: g.squeeze(logit, [1]) };
}

/** The two-tower model: score = <context tower(context features), item tower(item features)>. */
function vectorForward(
  g: Graph,
  store: ParamStore,
  plans: BaselinePlans,
  towers: { readonly context: readonly number[]; readonly item: readonly number[]; readonly dim: number },
  batch: { context: Dim; item: Dim },
): ForwardOutputs {
  const ctx = embedInputs(g, store, plans.context, batch.context) as Value;
  const item = embedInputs(g, store, plans.item, batch.item) as Value;
  const contextEmbedding = tower(g, store, 'ctx', ctx, planWidth(plans.context), towers.context, towers.dim);
  const itemEmbedding = tower(g, store, 'item', item, planWidth(plans.item), towers.item, towers.dim);
  const score = g.reduceSum(g.mul(itemEmbedding, contextEmbedding), [1]);
  return { score, contextEmbedding, itemEmbedding };
}

/** The forward pass of the configured baseline at the given batch dims. */
export function baselineForward(g: Graph, store: ParamStore, trained: { readonly config: BaselineConfig; readonly plans: BaselinePlans }, batch: { context: number | string; item: number | string }): ForwardOutputs {
  const { config, plans } = trained;
  if (config.kind === 'vector') {
    return vectorForward(g, store, plans, { context: config.towerLayers, item: config.towerLayers, dim: config.embeddingDim }, batch);
  }
  return dnnForward(g, store, plans, config.layers, batch);
}
