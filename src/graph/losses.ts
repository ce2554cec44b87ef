// Common losses composed from primitive ops (so their gradients come from the rule table).
import type { Graph, Value } from './graph.js';

/** Mean squared error: mean((pred - target)^2). */
export function mseLoss(g: Graph, pred: Value, target: Value): Value {
  return g.reduceMean(g.pow(g.sub(pred, target), 2));
}

/** Mean binary cross-entropy on logits, in the stable form relu(z) - z*y + log(1 + exp(-|z|)). */
export function bceWithLogitsLoss(g: Graph, logits: Value, labels: Value): Value {
  const stable = g.add(g.sub(g.relu(logits), g.mul(logits, labels)), g.softplus(g.neg(g.abs(logits))));
  return g.reduceMean(stable);
}

/**
 * Mean over rows of the cross-entropy between target probabilities and softmax(logits) along `axis`
 * (listwise distillation: targets = softmax(teacher scores / T) of each request's candidate list).
 */
export function softmaxCrossEntropyLoss(g: Graph, logits: Value, targetProbs: Value, axis = -1): Value {
  return g.neg(g.reduceMean(g.reduceSum(g.mul(targetProbs, g.logSoftmax(logits, axis)), [axis])));
}
