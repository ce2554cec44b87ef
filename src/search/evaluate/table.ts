// The terminal table of `autofas evaluate`: one aligned row per model.
import type { EvaluationReport } from './types.js';

function fixed(value: number | null, digits: number): string {
  return value === null || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

/** A metric of a model card or history: counts (test `requests`) as integers, ratios with 4 decimals. */
export function formatMetric(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

/** The report as an aligned plain-text table (names left, figures right), ending with a newline. */
export function formatEvaluationTable(report: EvaluationReport): string {
  const head = ['model', 'kind', 'features', `Recall@${report.k}`, `NDCG@${report.k}`, 'AUC', 'network µs', 'feature µs', 'total µs', 'FLOPs/cand'];
  const rows = report.rows.map((r) => [
    r.name,
    r.kind,
    String(r.features),
    fixed(r.recallAtK, 4),
    fixed(r.ndcgAtK, 4),
    fixed(r.auc, 4),
    fixed(r.networkUs, 0),
    fixed(r.featureUs, 0),
    fixed(r.totalUs, 0),
    fixed(r.flopsPerCandidate, 0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const title = `${report.requests} requests, ${report.candidates} candidates; Recall@${report.k} = share of the teacher's top ${report.top} kept in the model's top ${report.k}; latency per 1000 candidates`;
  return [title, line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}
