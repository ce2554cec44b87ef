// Forward-only use of a trained graph: an evaluator over the live params, and export with params as initializers.
import * as ort from 'onnxruntime-node';
import { encodeModel, type MakeModelOptions } from './builder.js';
import type { Graph, Value } from './graph.js';
import { createSession, type Feeds, type Fetches, type Session } from './runtime.js';

/** ort Tensors wrapping each param array the session takes as input (created once; the arrays are updated in place). */
export function paramTensors(g: Graph, session: Session): Record<string, ort.Tensor> {
  const inputs = new Set(session.inputNames);
  const feeds: Record<string, ort.Tensor> = {};
  for (const p of g.params) {
    if (inputs.has(p.value.name)) feeds[p.value.name] = new ort.Tensor('float32', p.data, p.value.dims as number[]);
  }
  return feeds;
}

/** A forward-only runner over the live params (fed by reference), for validation during training without re-export. */
export interface Evaluator {
  /** Runs the chosen outputs; fetches are keyed by the outputs' value names. */
  run(feeds: Feeds): Promise<Fetches>;
  dispose(): Promise<void>;
}

/** Builds a forward-only session for `outputs` whose params are graph inputs fed from the current arrays. */
export async function createEvaluator(g: Graph, outputs: readonly Value[], options: { readonly threads?: number } = {}): Promise<Evaluator> {
  const outs = outputs.map((v) => g.produced(v));
  const session = await createSession(encodeModel(g.toModel({ params: 'inputs', outputs: outs })), { threads: options.threads });
  const paramFeeds = paramTensors(g, session);
  return {
    run: (feeds) => session.run({ ...feeds, ...paramFeeds }),
    dispose: () => session.dispose(),
  };
}

/** Model bytes with the params' current values as initializers, pruned to what `outputs` need (for serving). */
export function exportInference(g: Graph, outputs: readonly Value[] = g.outputs, options: MakeModelOptions = {}): Uint8Array {
  return encodeModel(g.toModel({ ...options, params: 'initializers', outputs }));
}
