// The vega-lite specs of the search report, built from the search history and the model comparison rows.
import type { TopLevelSpec } from 'vega-lite';
import type { ReportComparison } from '../evaluate/types.js';
import type { SearchHistory } from '../search/history.js';
import { paretoFront } from './pareto.js';

const WIDTH = 560;
const HEIGHT = 260;
const STEP_TITLE = 'search epoch (all lambda2 rounds)';
const STEP_AXIS = { tickMinStep: 1, format: 'd' };

type Row = Record<string, string | number | null>;

function stepFields(history: SearchHistory): Row[] {
  return history.epochs.map((e, i) => ({ step: i + 1, round: e.round, epoch: e.epoch }));
}

/** Feature keep-probabilities theta per epoch, one line per feature. */
export function featureKeepSpec(history: SearchHistory): TopLevelSpec {
  const steps = stepFields(history);
  const side = new Map(history.features.map((f) => [f.name, f.side]));
  const values = history.epochs.flatMap((e, i) =>
    Object.entries(e.theta).map(([feature, theta]) => ({ ...steps[i], feature, side: side.get(feature) ?? '?', theta })),
  );
  return {
    title: 'Feature keep-probabilities (theta)',
    width: WIDTH,
    height: HEIGHT + 60,
    data: { values },
    mark: { type: 'line', point: values.length < 400 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: STEP_TITLE, axis: STEP_AXIS },
      y: { field: 'theta', type: 'quantitative', title: 'keep probability', scale: { domain: [0, 1] } },
      color: { field: 'feature', type: 'nominal', scale: { scheme: 'category20' } },
      strokeDash: { field: 'side', type: 'nominal', title: 'side' },
      tooltip: [{ field: 'feature' }, { field: 'side' }, { field: 'round' }, { field: 'epoch' }, { field: 'theta', format: '.3f' }],
    },
  };
}

/** softmax(alpha) per Mixop per epoch: one small chart per Mixop, one line per operator. */
export function operatorSpec(history: SearchHistory): TopLevelSpec {
  const steps = stepFields(history);
  const values = history.epochs.flatMap((e, i) =>
    e.mixops.flatMap((m, layer) => m.ops.map((op, j) => ({ ...steps[i], mixop: `Mixop ${layer + 1}`, op, prob: m.probs[j] }))),
  );
  return {
    title: 'Operator probabilities per Mixop (softmax alpha)',
    data: { values },
    facet: { field: 'mixop', type: 'nominal', title: null },
    columns: 2,
    spec: {
      width: WIDTH / 2 - 20,
      height: 160,
      mark: { type: 'line' },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: STEP_TITLE, axis: STEP_AXIS },
        y: { field: 'prob', type: 'quantitative', title: 'probability', scale: { domain: [0, 1] } },
        color: { field: 'op', type: 'nominal', title: 'operator' },
        tooltip: [{ field: 'mixop' }, { field: 'op' }, { field: 'epoch' }, { field: 'prob', format: '.3f' }],
      },
    },
  };
}

/** Mean losses per epoch (total, task, distillation, latency term). */
export function lossesSpec(history: SearchHistory): TopLevelSpec {
  const steps = stepFields(history);
  const values = history.epochs.flatMap((e, i) =>
    (['total', 'task', 'distill', 'latency'] as const).map((term) => ({ ...steps[i], term, loss: e.losses[term] })),
  );
  return {
    title: 'Losses per epoch',
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: STEP_TITLE, axis: STEP_AXIS },
      y: { field: 'loss', type: 'quantitative', title: 'mean loss' },
      color: { field: 'term', type: 'nominal', title: 'term' },
      tooltip: [{ field: 'term' }, { field: 'epoch' }, { field: 'round' }, { field: 'loss', format: '.4f' }],
    },
  };
}

/** Expected latency per 1000 candidates per epoch (features, network, total), with the budget as a rule. */
export function expectedLatencySpec(history: SearchHistory): TopLevelSpec {
  const steps = stepFields(history);
  const values = history.epochs.flatMap((e, i) => [
    { ...steps[i], part: 'total', us: e.expectedLatency.totalUs },
    { ...steps[i], part: 'features', us: e.expectedLatency.featureUs },
    { ...steps[i], part: 'network', us: e.expectedLatency.networkUs },
  ]);
  const lines = {
    mark: { type: 'line' as const, point: true },
    encoding: {
      x: { field: 'step', type: 'quantitative' as const, title: STEP_TITLE, axis: STEP_AXIS },
      y: { field: 'us', type: 'quantitative' as const, title: 'expected latency per 1000 candidates (µs)' },
      color: { field: 'part', type: 'nominal' as const, title: 'part' },
      tooltip: [{ field: 'part' }, { field: 'epoch' }, { field: 'round' }, { field: 'us', format: '.0f' }],
    },
  };
  const budget = history.budgetUs;
  const layer = budget === undefined
    ? [lines]
    : [lines, { data: { values: [{ budget }] }, mark: { type: 'rule' as const, strokeDash: [6, 4], color: '#c00' }, encoding: { y: { field: 'budget', type: 'quantitative' as const } } }];
  return { title: `Expected latency per epoch${budget === undefined ? '' : ` (budget ${budget} µs, dashed)`}`, width: WIDTH, height: HEIGHT, data: { values }, layer } as TopLevelSpec;
}

/** The latency-recall plane: every compared model, the searched model(s) highlighted, the Pareto front drawn. */
export function latencyRecallSpec(comparisons: readonly ReportComparison[], k: number, top: number): TopLevelSpec {
  const points = comparisons.map((c) => ({
    name: c.name,
    role: c.role,
    kind: c.kind,
    totalUs: c.totalUs,
    recall: c.recallAtK,
    budgetUs: c.budgetUs ?? null,
  }));
  const front = paretoFront(points.map((p) => ({ ...p, latencyUs: p.totalUs })));
  const spread = Math.max(...points.map((p) => p.totalUs)) / Math.max(1e-9, Math.min(...points.map((p) => p.totalUs)));
  // Latencies of a sweep span orders of magnitude: a log axis keeps the cheap models apart.
  const scale = spread > 20 ? { type: 'log' as const } : { zero: true };
  const x = { field: 'totalUs', type: 'quantitative' as const, title: `latency per 1000 candidates: network + features (µs${spread > 20 ? ', log scale' : ''})`, scale };
  const lowest = Math.min(...points.map((p) => p.recall).filter(Number.isFinite), 1);
  const domain = [Math.max(0, Math.floor((lowest - 0.02) * 20) / 20), 1];
  const y = { field: 'recall', type: 'quantitative' as const, title: `Recall@${k} of the teacher top ${top}`, scale: { domain }, axis: { format: '.3~f' } };
  return {
    title: 'Latency-recall plane (Pareto front dashed)',
    width: WIDTH,
    height: HEIGHT + 60,
    layer: [
      { data: { values: front }, mark: { type: 'line', strokeDash: [5, 3], color: '#888' }, encoding: { x, y, order: { field: 'totalUs' } } },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 110 },
        encoding: {
          x,
          y,
          color: { field: 'role', type: 'nominal', title: 'model', scale: { domain: ['searched', 'sweep', 'baseline'], range: ['#d62728', '#ff9896', '#1f77b4'] } },
          shape: { field: 'kind', type: 'nominal', title: 'kind' },
          tooltip: [{ field: 'name' }, { field: 'kind' }, { field: 'totalUs', format: '.0f' }, { field: 'recall', format: '.4f' }, { field: 'budgetUs' }],
        },
      },
      { data: { values: points }, mark: { type: 'text', align: 'left', dx: 8, dy: -6, fontSize: 11 }, encoding: { x, y, text: { field: 'name' } } },
    ],
  } as TopLevelSpec;
}
