// Reverse-mode autodiff: grad(g, loss, wrt) appends backward nodes built from the gradient rule table.
import { autofasError } from '../schema/errors.js';
import { gradientRule } from './gradients.js';
import type { Graph, Value } from './graph.js';
import { numel } from './shapes.js';

/** Values downstream of `wrt` through float tensors (only these need gradients). */
function dependents(g: Graph, wrt: readonly Value[], upTo: number): Set<string> {
  const needs = new Set(wrt.map((v) => v.name));
  for (let i = 0; i < upTo; i++) {
    const node = g.nodes[i];
    if (!node.inputs.some((v) => needs.has(v.name))) continue;
    for (const o of node.outputs) if (g.isFloat(o)) needs.add(o.name);
  }
  return needs;
}

/**
 * Appends the backward pass of scalar `loss` and returns d loss / d w for each w in `wrt` (zeros when the loss does
 * not depend on w). Multiple paths into a value are summed with Add.
 */
export function grad(g: Graph, loss: Value, wrt: readonly Value[]): Value[] {
  if (numel(loss.dims) !== 1 || !g.isFloat(loss)) {
    throw autofasError('ERR_AUTOFAS_GRAPH', `grad: loss '${loss.name}' must be a float scalar, dims [${loss.dims.join(',')}]`);
  }
  const end = g.nodes.length;
  const needs = dependents(g, wrt, end);
  const grads = new Map<string, Value>();
  grads.set(loss.name, loss.dims.length === 0 ? g.scalar(1, loss.dtype) : g.constant([1], loss.dims as number[], loss.dtype));
  for (let i = end - 1; i >= 0; i--) {
    const node = g.nodes[i];
    const dys = node.outputs.map((o) => grads.get(o.name) ?? null);
    if (dys.every((d) => d === null) || !node.inputs.some((v) => needs.has(v.name))) continue;
    const dxs = gradientRule(node.opType)(g, node, dys);
    node.inputs.forEach((input, k) => {
      const dx = dxs[k];
      if (!dx || !needs.has(input.name)) return;
      const prev = grads.get(input.name);
      grads.set(input.name, prev ? g.add(prev, dx) : dx);
    });
  }
  return wrt.map((w) => grads.get(w.name) ?? g.zerosLike(w));
}
