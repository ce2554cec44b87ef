// Writes report.html for a search run: the history's training curves and the latency-recall plane, rendered offline.
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReportComparison } from '../evaluate/types.js';
import type { SearchHistory } from '../search/history.js';
import { expectedLatencySpec, featureKeepSpec, latencyRecallSpec, lossesSpec, operatorSpec } from './charts.js';
import { reportPage, type ChartSection } from './html.js';
import { renderSvg } from './render.js';

export const REPORT_FILE = 'report.html';

/** Options for writeSearchReport. */
export interface SearchReportOptions {
  /** K of the Recall@K and NDCG@K figures in `comparisons` (for labels). @default 100 */
  readonly k?: number;
  /** The teacher top-set size of the Recall@K figures (for labels). @default 10 */
  readonly top?: number;
}

/** Renders every chart the history and comparisons support (an empty history gives only the plane). */
export async function renderCharts(history: SearchHistory, comparisons: readonly ReportComparison[], k: number, top: number): Promise<ChartSection[]> {
  const sections: { heading: string; caption: string; spec: Parameters<typeof renderSvg>[0] }[] = [];
  if (comparisons.length) {
    const sweep = comparisons.some((c) => c.role === 'sweep');
    sections.push({
      heading: sweep ? 'Latency-recall plane and Pareto front of the budget sweep' : 'Latency-recall plane',
      caption: 'Up and to the left is better. Latency is measured ONNX Runtime time for 1000 candidates plus the feature fetch cost from the spec.',
      spec: latencyRecallSpec(comparisons, k, top),
    });
  }
  if (history.epochs.length) {
    sections.push(
      { heading: 'Feature keep-probabilities over training', caption: 'theta per feature; features above the keep threshold at the end are selected.', spec: featureKeepSpec(history) },
      { heading: 'Operator probabilities per Mixop', caption: 'softmax(alpha) per candidate operator; the derived network takes the argmax of each Mixop.', spec: operatorSpec(history) },
      { heading: 'Losses per epoch', caption: 'Mean minibatch losses: task, distillation, the latency term (lambda2 · E[latency]) and their total.', spec: lossesSpec(history) },
      { heading: 'Expected latency per epoch', caption: 'E[latency] per 1000 candidates from the latency model, split into feature fetch and network.', spec: expectedLatencySpec(history) },
    );
  }
  const out: ChartSection[] = [];
  for (const s of sections) out.push({ heading: s.heading, caption: s.caption, svg: await renderSvg(s.spec) });
  return out;
}

/**
 * Writes `outDir/report.html` (self-contained: inline SVG and CSS, no scripts, no external URLs) and returns its
 * path. `comparisons` holds the searched model (role 'searched'), sweep points ('sweep') and baselines ('baseline').
 */
export async function writeSearchReport(
  outDir: string,
  history: SearchHistory,
  comparisons: readonly ReportComparison[] = [],
  options: SearchReportOptions = {},
): Promise<string> {
  const k = options.k ?? 100;
  const top = options.top ?? 10;
  const charts = await renderCharts(history, comparisons, k, top);
  const path = join(outDir, REPORT_FILE);
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, reportPage(history, comparisons, charts, k, top));
  await rename(tmp, path);
  return path;
}
