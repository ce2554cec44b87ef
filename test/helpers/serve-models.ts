// Tiny ONNX pre-ranking models for serving tests and benches: a scorer (kind autofas) and a two-tower `vector` baseline.
import { encodeModel, makeGraph, makeModel, makeNode, makeTensor, makeValueInfo } from '../../src/graph/builder.js';
import type { NodeProto, TensorProto, ValueInfoProto } from '../../src/graph/onnx-proto.js';
import { writeArtifact } from '../../src/schema/artifact.js';
import { inputLayout } from '../../src/schema/encoder.js';
import type { Feature, FeatureSpec } from '../../src/schema/feature-spec.js';
import type { ModelCard, ModelKind } from '../../src/schema/model-card.js';
import type { RawFeatureValue } from '../../src/schema/teacher-log.js';
import { createRng } from '../../src/util/random.js';
import type { Candidate } from '../../src/serve/types.js';

export const VEC_DIM = 4;
export const CAT_BUCKETS = 16;

/** The features the test models read (a feature spec for them is `TEST_SPEC`). */
export const TEST_FEATURES: readonly Feature[] = [
  { name: 'user_age', side: 'context', source: 'request', type: 'numeric' },
  { name: 'query_vec', side: 'context', source: 'request', type: 'vector', dim: VEC_DIM },
  { name: 'item_vec', side: 'item', source: 'request', type: 'vector', dim: VEC_DIM },
  { name: 'item_price', side: 'item', source: 'store', type: 'numeric', default: 1 },
  { name: 'item_cat', side: 'item', source: 'request', type: 'categorical', hashBuckets: CAT_BUCKETS },
  { name: 'unused_ctr', side: 'item', source: 'store', type: 'numeric' },
];

export const TEST_SPEC: FeatureSpec = { version: 1, features: [...TEST_FEATURES] };

const byName = (name: string): Feature => TEST_FEATURES.find((f) => f.name === name) as Feature;

function weights(seed: number, name: string, dims: number[]): TensorProto {
  const rng = createRng(seed);
  const count = dims.reduce((a, b) => a * b, 1);
  return makeTensor(name, 'float32', dims, Array.from({ length: count }, () => rng.normal()));
}

function inputInfo(feature: Feature): ValueInfoProto {
  const layout = inputLayout(feature);
  return makeValueInfo(feature.name, layout.dtype, layout.dims);
}

function cardDraft(kind: ModelKind, features: readonly Feature[], outputs: ModelCard['outputs']): Omit<ModelCard, 'modelId'> {
  return {
    version: 1,
    kind,
    inputs: features.map((feature) => {
      const layout = inputLayout(feature);
      return { feature, input: feature.name, dtype: layout.dtype, dims: [...layout.dims] };
    }),
    outputs,
    architecture: { test: true },
    latency: { candidates: 1000 },
    metrics: {},
    provenance: { logsHash: 'test', specHash: 'test', toolVersion: '0.1.0', seed: 1, createdAt: '2026-01-01T00:00:00.000Z' },
  };
}

/**
 * Scorer (kind `autofas`): score = item_vec·w + (item_vec ⊙ query_vec)·1 + price·a + emb[item_cat] + age·b, shape [N,1].
 * Reads user_age, query_vec, item_vec, item_price (store), item_cat; not unused_ctr.
 */
export function scorerModelBytes(seed = 1): Uint8Array {
  const nodes: NodeProto[] = [
    makeNode('MatMul', ['item_vec', 'w_item'], ['s_item']),
    makeNode('Mul', ['item_vec', 'query_vec'], ['cross']),
    makeNode('MatMul', ['cross', 'ones'], ['s_cross']),
    makeNode('Mul', ['item_price', 'a_price'], ['s_price']),
    makeNode('Gather', ['emb_cat', 'item_cat'], ['s_cat'], { axis: 0 }),
    makeNode('Mul', ['user_age', 'b_age'], ['s_age']),
    makeNode('Add', ['s_item', 's_cross'], ['t1']),
    makeNode('Add', ['t1', 's_price'], ['t2']),
    makeNode('Add', ['t2', 's_cat'], ['t3']),
    makeNode('Add', ['t3', 's_age'], ['score']),
  ];
  const init = [
    weights(seed, 'w_item', [VEC_DIM, 1]),
    makeTensor('ones', 'float32', [VEC_DIM, 1], new Array(VEC_DIM).fill(1)),
    weights(seed + 1, 'a_price', [1, 1]),
    weights(seed + 2, 'emb_cat', [CAT_BUCKETS, 1]),
    weights(seed + 3, 'b_age', [1, 1]),
  ];
  const features = ['user_age', 'query_vec', 'item_vec', 'item_price', 'item_cat'].map(byName);
  const graph = makeGraph(nodes, 'test_scorer', features.map(inputInfo), [makeValueInfo('score', 'float32', ['N', 1])], init);
  return encodeModel(makeModel(graph));
}

/** Two-tower `vector` baseline: context_embedding [1,d] from query_vec and user_age, item_embedding [N,d] from item_vec and item_cat. */
export function vectorModelBytes(seed = 7, dim = 8): Uint8Array {
  const nodes: NodeProto[] = [
    makeNode('MatMul', ['query_vec', 'w_ctx'], ['c1']),
    makeNode('Mul', ['user_age', 'u_age'], ['c2']),
    makeNode('Add', ['c1', 'c2'], ['context_embedding']),
    makeNode('MatMul', ['item_vec', 'w_itm'], ['i1']),
    makeNode('Gather', ['emb_cat', 'item_cat'], ['i2'], { axis: 0 }),
    makeNode('Add', ['i1', 'i2'], ['item_embedding']),
    makeNode('Transpose', ['context_embedding'], ['ctx_t'], { perm: [1, 0] }),
    makeNode('MatMul', ['item_embedding', 'ctx_t'], ['score']),
  ];
  const init = [
    weights(seed, 'w_ctx', [VEC_DIM, dim]),
    weights(seed + 1, 'u_age', [1, dim]),
    weights(seed + 2, 'w_itm', [VEC_DIM, dim]),
    weights(seed + 3, 'emb_cat', [CAT_BUCKETS, dim]),
  ];
  const features = ['user_age', 'query_vec', 'item_vec', 'item_cat'].map(byName);
  const outputs = [
    makeValueInfo('score', 'float32', ['N', 1]),
    makeValueInfo('context_embedding', 'float32', [1, dim]),
    makeValueInfo('item_embedding', 'float32', ['N', dim]),
  ];
  return encodeModel(makeModel(makeGraph(nodes, 'test_vector', features.map(inputInfo), outputs, init)));
}

/** Writes the scorer artifact (kind `autofas`) to `dir`; a missing `item_price` is encoded as `priceDefault`. */
export function writeScorerArtifact(dir: string, seed = 1, priceDefault = 1): Promise<ModelCard> {
  const features = ['user_age', 'query_vec', 'item_vec', 'item_price', 'item_cat'].map(byName);
  const priced = features.map((f) => (f.name === 'item_price' ? ({ ...f, default: priceDefault } as Feature) : f));
  return writeArtifact(dir, cardDraft('autofas', priced, { score: 'score' }), scorerModelBytes(seed));
}

/** Writes the two-tower baseline artifact (kind `vector`) to `dir`. */
export function writeVectorArtifact(dir: string, seed = 7, dim = 8): Promise<ModelCard> {
  const features = ['user_age', 'query_vec', 'item_vec', 'item_cat'].map(byName);
  const outputs = { score: 'score', contextEmbedding: 'context_embedding', itemEmbedding: 'item_embedding' };
  return writeArtifact(dir, cardDraft('vector', features, outputs), vectorModelBytes(seed, dim));
}

/** A request context for the test models. */
export function testContext(seed = 3): Record<string, RawFeatureValue> {
  const rng = createRng(seed);
  return { user_id: `u${seed}`, user_age: 20 + rng.int(40), query_vec: Array.from({ length: VEC_DIM }, () => rng.normal()) };
}

/** `n` fresh candidates with item ids `i0..`, request features only (item_price comes from the store). */
export function testCandidates(n: number, seed = 5): Candidate[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => ({
    item_id: `i${i}`,
    features: { item_vec: Array.from({ length: VEC_DIM }, () => rng.normal()), item_cat: `c${rng.int(50)}` },
  }));
}

/** Store rows for `testCandidates` ids: item_price and unused_ctr. */
export function testStoreData(n: number, seed = 9): Map<string, Record<string, RawFeatureValue>> {
  const rng = createRng(seed);
  return new Map(Array.from({ length: n }, (_, i) => [`i${i}`, { item_price: rng.next() * 10, unused_ctr: rng.next() }]));
}

/** A `autofas` artifact whose card lists the scorer's inputs (item_price among them) over the vector model's ONNX (no item_price). */
export function writeMismatchedArtifact(dir: string): Promise<ModelCard> {
  const features = ['user_age', 'query_vec', 'item_vec', 'item_price', 'item_cat'].map(byName);
  return writeArtifact(dir, cardDraft('autofas', features, { score: 'score' }), vectorModelBytes());
}
