// The latency model: table interpolation, Eq. 3-4 over sources (shared with evaluate), network expectation over Mixops, exact gradients.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Feature } from '../../src/schema/feature-spec.js';
import { featureFetchUs } from '../../src/search/evaluate/cost.js';
import { featureCostUs } from '../../src/schema/feature-spec.js';
import { expectedFeatureUs, LatencyModel, type FeatureLatency, type FetchCost } from '../../src/search/latency/latency-model.js';
import { LatencyLookup, LATENCY_TABLE_VERSION, type LatencyTable } from '../../src/search/latency/latency-table.js';
import type { OpConfig } from '../../src/search/model/mixop.js';

function table(): LatencyTable {
  const entries = [];
  for (const dIn of [8, 64, 256]) for (const dOut of [1, 32, 256]) entries.push({ dIn, dOut, us: (dIn * dOut) / 100 + 5 });
  return {
    version: LATENCY_TABLE_VERSION, candidates: 1000, threads: 1, runOverheadUs: 10, inputUs: 3, entries,
    machine: { cpu: 'test', cores: 1, ort: 'x', node: 'x' }, createdAt: '2026-01-01T00:00:00Z',
  };
}

const FEATURES: FeatureLatency[] = [
  { name: 'ctx', source: 'request', side: 'context', us: 5, width: 16 },
  { name: 'a', source: 'request', side: 'item', us: 2, width: 4 },
  { name: 'b', source: 'store', side: 'item', us: 100, width: 8 },
  { name: 'c', source: 'store', side: 'cross', us: 50, width: 32 },
];
const MIXOPS: OpConfig[][] = [
  [{ kind: 'dense', width: 256 }, { kind: 'dense', width: 32 }],
  [{ kind: 'dense', width: 256 }, { kind: 'dense', width: 32 }, { kind: 'identity' }],
];

test('lookups hit the grid exactly and interpolate between points', () => {
  const lookup = new LatencyLookup(table());
  assert.equal(lookup.layerUs(64, 32), (64 * 32) / 100 + 5);
  const mid = lookup.layerUs(160, 32);
  assert.ok(mid > lookup.layerUs(64, 32) && mid < lookup.layerUs(256, 32));
  assert.equal(lookup.layerUs(512, 32), lookup.layerUs(256, 32) * 2); // flop-proportional beyond the grid
});

test('feature latency is the max over sources of lookups plus beta per feature of that source', () => {
  const model = new LatencyModel(FEATURES, MIXOPS, new LatencyLookup(table()), 3, 1000);
  assert.equal(model.featureUs([1, 1, 1, 1]).us, 150 + 3 * 2); // store: b + c, two features' beta
  assert.equal(model.featureUs([1, 1, 0, 0]).us, 7 + 3 * 2); // request source wins when no store feature is kept
  assert.deepEqual(Array.from(model.featureUs([1, 1, 1, 1]).dTheta), [0, 0, 103, 53]);
  // Beta can tip the max: 10 one-microsecond request features outweigh one 20 us store feature.
  const many: FetchCost[] = [...Array.from({ length: 10 }, () => ({ source: 'request' as const, us: 1 })), { source: 'store', us: 20 }];
  assert.equal(expectedFeatureUs(many, many.map(() => 1), 3).us, 10 * (1 + 3));
});

test('evaluate counts a model fetch cost with the same formula (theta = 1 per used feature)', () => {
  const spec = [
    { name: 'u', side: 'context', type: 'numeric', source: 'request', costUs: 5 },
    { name: 'b', side: 'item', type: 'numeric', source: 'store', costUs: 100 },
    { name: 'c', side: 'cross', type: 'numeric', source: 'store', costUs: 50 },
  ] as unknown as Feature[];
  const model = new LatencyModel(
    spec.map((f) => ({ name: f.name, source: f.source, side: f.side, us: featureCostUs(f), width: 1 })), MIXOPS, new LatencyLookup(table()), 3, 1000,
  );
  assert.equal(featureFetchUs(spec, 3), model.featureUs([1, 1, 1]).us);
  assert.equal(featureFetchUs(spec, 3), 156);
  assert.equal(featureFetchUs([], 3), 0);
});

/** Central difference of f at x with a fine step (the functions are piecewise linear: exact away from grid points). */
const slopeAt = (f: (x: number) => number, x: number, h = 1e-6): number => (f(x + h) - f(x - h)) / (2 * h);
const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('the table slope in the input width matches a fine finite difference inside, below and beyond the grid', () => {
  const lookup = new LatencyLookup(table());
  for (const [dIn, dOut, n] of [[30, 32, 1000], [100, 200, 1], [4, 32, 1000], [400, 32, 1000], [400, 300, 500]]) {
    close(lookup.layerUsSlope(dIn, dOut, n), slopeAt((x) => lookup.layerUs(x, dOut, n), dIn), `slope at ${dIn}x${dOut}`);
  }
});

test('the analytic gradient of the expected latency matches a fine finite difference', () => {
  const model = new LatencyModel(FEATURES, MIXOPS, new LatencyLookup(table()), 3, 1000);
  const theta = [0.7, 0.4, 0.9, 0.6]; // first-layer widths 11.2 (context) and 28 (item): inside grid cells
  const probs = [Float64Array.from([0.3, 0.7]), Float64Array.from([0.2, 0.5, 0.3])];
  const est = model.estimate(theta, probs);
  probs.forEach((row, l) => row.forEach((_, j) => {
    const at = (v: number): number => model.estimate(theta, probs.map((r, m) => (m === l ? r.map((x, k) => (k === j ? v : x)) : r))).totalUs;
    close(est.dProbs[l][j], slopeAt(at, row[j]), `dProbs[${l}][${j}]`);
  }));
  theta.forEach((t, i) => {
    const at = (v: number): number => model.estimate(theta.map((x, k) => (k === i ? v : x)), probs).totalUs;
    close(est.dTheta[i], slopeAt(at, t), `dTheta[${i}]`);
  });
  // Not vacuous: every feature's gradient has a network share besides its fetch share (L_i + beta on the winning source).
  const fetchOnly = model.featureUs(theta).dTheta;
  est.dTheta.forEach((d, i) => assert.ok(d - fetchOnly[i] > 0, `network share of dTheta[${i}]`));
  assert.deepEqual(Array.from(fetchOnly), [0, 0, 103, 53]);
});

test('a derived model costs its features plus its layers; identity shortens the network', () => {
  const model = new LatencyModel(FEATURES, MIXOPS, new LatencyLookup(table()), 3, 1000);
  const all = new Set(FEATURES.map((f) => f.name));
  const deep = model.derivedUs(all, [256, 32]);
  const shallow = model.derivedUs(all, [256]);
  assert.ok(shallow.networkUs < deep.networkUs);
  assert.equal(deep.featureUs, 156);
  assert.equal(deep.fetchUs, 150);
  // A derived network is the expected network with every probability on the chosen width.
  assert.equal(deep.networkUs, model.networkUs(16, 44, [Float64Array.from([1, 0]), Float64Array.from([0, 1, 0])]));
});
