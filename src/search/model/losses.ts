// Training losses in the graph: task BCE (label, or the teacher's probability when a row has none) and distillation,
// pointwise (squared distance of probabilities, the paper's form) or listwise (softmax CE over each request's list).
import type { Graph, Value } from '../../graph/graph.js';
import { softmaxCrossEntropyLoss } from '../../graph/losses.js';
import type { DistillMode } from '../search/config.js';

/** The loss values of a training graph. */
export interface LossValues {
  readonly task: Value;
  readonly distill: Value;
  /** (1 - lambda1) task + lambda1 distill: what the weights and architecture minimise. */
  readonly student: Value;
}

/** Appends the losses on `score` [N]; rows come in blocks of `candidatesPerRequest` per request. */
export function buildLosses(g: Graph, score: Value, mode: DistillMode, lambda1: number, candidatesPerRequest: number): LossValues {
  const target = g.input('target', 'float32', ['N']);
  // BCE with logits, stable form: softplus(s) - y s.
  const task = g.reduceMean(g.sub(g.softplus(score), g.mul(target, score)));
  let distill: Value;
  if (mode === 'pointwise') {
    const tprob = g.input('teacher_prob', 'float32', ['N']);
    const diff = g.sub(g.sigmoid(score), tprob);
    distill = g.reduceMean(g.mul(diff, diff));
  } else {
    const tlist = g.input('teacher_list', 'float32', ['N']);
    const perRequest = (v: Value): Value => g.reshape(v, [-1, candidatesPerRequest]);
    distill = softmaxCrossEntropyLoss(g, perRequest(score), perRequest(tlist), 1);
  }
  const student = g.add(g.mul(task, 1 - lambda1), g.mul(distill, lambda1));
  return { task, distill, student };
}
