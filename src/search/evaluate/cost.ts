// Cost figures of a model: FLOPs per candidate from its ONNX graph, feature fetch cost from its features' `costUs`.
import { decodeModel } from '../../graph/builder.js';
import type { AttributeProto, GraphProto, NodeProto } from '../../graph/onnx-proto.js';
import { featureCostUs, type Feature } from '../../schema/feature-spec.js';
import { expectedFeatureUs } from '../latency/latency-model.js';

/** Candidates a batch-1 (per request) computation is shared by when it is counted per candidate. */
const REFERENCE_CANDIDATES = 1000;

function intAttr(node: NodeProto, name: string): number {
  const attr = node.attribute.find((a: AttributeProto) => a.name === name);
  return attr?.i === undefined ? 0 : Number(attr.i);
}

/** Graph inputs whose leading dim is symbolic (the candidate batch N). */
function batchedInputs(graph: GraphProto): Set<string> {
  const out = new Set<string>();
  for (const input of graph.input) {
    const first = input.type.tensor_type.shape?.dim?.[0];
    if (first && first.dim_param) out.add(input.name);
  }
  return out;
}

/** FLOPs (2 x multiply-adds) of one MatMul/Gemm row against a weight initializer, 0 when the weight is not constant. */
function denseRowFlops(node: NodeProto, weights: Map<string, number[]>): number {
  const dims = weights.get(node.input[1]);
  if (!dims || dims.length !== 2) return 0;
  return 2 * dims[0] * dims[1] + (node.op_type === 'Gemm' && node.input[2] ? dims[intAttr(node, 'transB') ? 0 : 1] : 0);
}

/**
 * FLOPs per candidate of a model's dense layers (MatMul and Gemm against weight initializers): layers on the
 * candidate batch count fully, batch-1 context layers are shared by REFERENCE_CANDIDATES candidates.
 */
export function flopsPerCandidate(modelBytes: Uint8Array): number {
  const graph = decodeModel(modelBytes).graph;
  const weights = new Map(graph.initializer.map((t) => [t.name, t.dims.map(Number)]));
  const batched = batchedInputs(graph);
  let flops = 0;
  for (const node of graph.node) {
    const onBatch = node.input.some((name) => batched.has(name));
    if (onBatch) for (const name of node.output) batched.add(name);
    if (node.op_type !== 'MatMul' && node.op_type !== 'Gemm') continue;
    const rowFlops = denseRowFlops(node, weights);
    flops += onBatch ? rowFlops : rowFlops / REFERENCE_CANDIDATES;
  }
  return flops;
}

/**
 * Feature fetch cost of a request, by the searcher's formula (`expectedFeatureUs`, Eq. 3-4) with every used
 * feature kept: max over the two sources of (sum of the features' lookup costs L_i + beta per feature).
 */
export function featureFetchUs(features: readonly Feature[], betaUs = 0): number {
  const costs = features.map((f) => ({ source: f.source, us: featureCostUs(f) }));
  return expectedFeatureUs(costs, costs.map(() => 1), betaUs).us;
}
