// Compiles a training graph (losses + generated backward) and a scoring graph into ORT sessions; runs steps.
import { encodeModel } from '../../graph/builder.js';
import { grad } from '../../graph/autodiff.js';
import type { Graph, ParamEntry, Value } from '../../graph/graph.js';
import { createSession, type Feeds, type Session } from '../../graph/runtime.js';

/** A training session: one run gives the losses and the gradient of `objective` w.r.t. each trainable param. */
export interface TrainingSession {
  readonly session: Session;
  /** Every param the graph reads (fed each run from its Float32Array). */
  readonly params: readonly ParamEntry[];
  /** The params gradients are returned for, in order. */
  readonly wrt: readonly ParamEntry[];
  readonly gradNames: readonly string[];
  readonly lossNames: Readonly<Record<string, string>>;
}

/** One step's result. */
export interface StepResult {
  readonly losses: Record<string, number>;
  readonly grads: Float32Array[];
}

/** Appends the backward pass of `objective` and opens a session returning `losses` and the gradients. */
export async function compileTraining(
  g: Graph,
  objective: Value,
  losses: Readonly<Record<string, Value>>,
  wrt: readonly ParamEntry[],
  threads: number,
): Promise<TrainingSession> {
  const grads = grad(g, objective, wrt.map((p) => p.value)).map((v) => (g.producer(v) ? v : g.identity(v)));
  const lossValues = Object.entries(losses).map(([k, v]) => [k, g.producer(v) ? v : g.identity(v)] as const);
  const outputs = [...lossValues.map(([, v]) => v), ...grads];
  const model = g.toModel({ params: 'inputs', outputs: dedupe(outputs) });
  const session = await createSession(encodeModel(model), { threads });
  return {
    session,
    params: g.params,
    wrt,
    gradNames: grads.map((v) => v.name),
    lossNames: Object.fromEntries(lossValues.map(([k, v]) => [k, v.name])),
  };
}

function dedupe(values: readonly Value[]): Value[] {
  const seen = new Set<string>();
  return values.filter((v) => (seen.has(v.name) ? false : (seen.add(v.name), true)));
}

/** Feeds of every param from its current data (no copies). */
function paramFeeds(params: readonly ParamEntry[]): Record<string, Feeds[string]> {
  const feeds: Record<string, Feeds[string]> = {};
  for (const p of params) feeds[p.value.name] = { data: p.data, dims: p.value.dims as number[] };
  return feeds;
}

/** Runs one forward + backward pass. */
export async function runStep(ts: TrainingSession, feeds: Feeds): Promise<StepResult> {
  const out = await ts.session.run({ ...feeds, ...paramFeeds(ts.params) });
  const losses: Record<string, number> = {};
  for (const [k, name] of Object.entries(ts.lossNames)) losses[k] = (out[name].data as Float32Array)[0];
  const grads = ts.gradNames.map((name) => out[name].data as Float32Array);
  return { losses, grads };
}

/** A forward-only session computing `score` with params fed per run. */
export interface ScoringSession {
  readonly session: Session;
  readonly params: readonly ParamEntry[];
  readonly scoreName: string;
}

export async function compileScoring(g: Graph, score: Value, threads: number): Promise<ScoringSession> {
  const out = g.producer(score) ? score : g.identity(score);
  const model = g.toModel({ params: 'inputs', outputs: [out] });
  const used = new Set(model.graph.input.map((i) => i.name));
  return {
    session: await createSession(encodeModel(model), { threads }),
    params: g.params.filter((p) => used.has(p.value.name)),
    scoreName: out.name,
  };
}

export async function runScoring(ss: ScoringSession, feeds: Feeds): Promise<Float32Array> {
  const out = await ss.session.run({ ...feeds, ...paramFeeds(ss.params) });
  return out[ss.scoreName].data as Float32Array;
}
