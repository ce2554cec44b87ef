// Assembles the self-contained report page: inline CSS, inline SVG charts, summary and comparison tables.
import type { ReportComparison } from '../evaluate/types.js';
import type { SearchHistory } from '../search/history.js';
import { formatMetric } from '../evaluate/table.js';

/** A rendered chart with its heading and a sentence saying how to read it. */
export interface ChartSection {
  readonly heading: string;
  readonly caption: string;
  readonly svg: string;
}

export const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2rem auto;max-width:1000px;color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
table{border-collapse:collapse;font-size:.9rem;margin:.6rem 0}th,td{padding:.3rem .7rem;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child{text-align:left}tr.searched td{font-weight:600}p.caption{color:#555;font-size:.9rem}
figure{margin:0;overflow-x:auto}code{background:#f4f4f4;padding:0 .25rem}`;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

function summaryTable(history: SearchHistory): string {
  const d = history.derived;
  const rows: [string, string][] = [
    ['budget per 1000 candidates', history.budgetUs === undefined ? 'none (lambda2 given)' : `${history.budgetUs} µs`],
    ['selected features', `${d.features.length} of ${history.features.length}: ${d.features.join(', ')}`],
    ['hidden layers', d.layers.length ? d.layers.join(' → ') : 'none (linear)'],
    ['expected latency', `${fixed(d.expectedUs, 0)} µs (features ${fixed(d.featureUs, 0)}, network ${fixed(d.networkUs, 0)})`],
    ['measured latency', d.measuredUs === undefined ? '–' : `${fixed(d.measuredUs, 0)} µs`],
    ...Object.entries(history.test ?? {}).map(([k, v]): [string, string] => [`test ${k}`, Number.isFinite(v) ? formatMetric(v) : '–']),
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td style="text-align:left">${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

/** The comparison table: one row per model, same requests, same run. */
function comparisonTable(comparisons: readonly ReportComparison[], k: number, top: number): string {
  const head = ['model', 'kind', 'role', 'features', `Recall@${k} (top ${top})`, `NDCG@${k}`, 'AUC', 'network µs', 'features µs', 'total µs', 'FLOPs/cand'];
  const body = comparisons.map((c) => {
    const cells = [c.name, c.kind, c.budgetUs === undefined ? c.role : `${c.role} (${c.budgetUs} µs)`, String(c.features), fixed(c.recallAtK, 4),
      fixed(c.ndcgAtK, 4), fixed(c.auc, 4), fixed(c.networkUs, 0), fixed(c.featureUs, 0), fixed(c.totalUs, 0), fixed(c.flopsPerCandidate, 0)];
    return `<tr class="${c.role}">${cells.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`;
  });
  return `<table><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${body.join('')}</table>`;
}

/** A titled table of plain text cells. */
function section(title: string, caption: string, head: readonly string[], body: readonly (readonly string[])[]): string {
  const rows = body.map((cells) => `<tr>${cells.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`);
  return `<h2>${escapeHtml(title)}</h2><p class="caption">${escapeHtml(caption)}</p><table><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

/** Every candidate the budget's feature choice evaluated (history.derived.tries), in order. */
function triesTable(history: SearchHistory): string {
  const tries = history.derived.tries ?? [];
  if (tries.length === 0) return '';
  const head = ['#', 'move', 'feature', 'Δ held-out loss', 'Δ latency µs', 'result'];
  const body = tries.map((t, i) => [String(i + 1), t.action, t.feature, t.deltaLoss === undefined ? '–' : t.deltaLoss.toFixed(4), t.deltaUs.toFixed(0), t.result]);
  return section('Feature choice under the budget: every try', 'Drops and additions evaluated on held-out minibatches of the trained supernet (negative Δ loss helps); an addition must fit the budget and gain significantly on both held-out sets; "(adapted)": re-tested with the weights adapted to doing without the feature.', head, body);
}

/** Every neighbour of the derived network considered after the retrain (history.derived.neighbours), in order. */
function neighboursTable(history: SearchHistory): string {
  const tries = history.derived.neighbours ?? [];
  if (tries.length === 0) return '';
  const head = ['#', 'network', 'features', 'layers', 'table µs', 'validation loss', 'validation recall', 'result'];
  const body = tries.map((t, i) => [String(i + 1), t.label, String(t.features.length), t.layers.join('-'), t.expectedUs.toFixed(0),
    fixed(t.validLoss, 4), fixed(t.validRecall, 3), t.result]);
  return section('Neighbours of the derived network, retrained', 'Networks that fit the budget on the table latency, retrained with the same seed; one replaces the current model when its per-request validation loss is lower by 2 standard errors (or it is cheaper and no worse).', head, body);
}

/** The whole page. */
export function reportPage(history: SearchHistory, comparisons: readonly ReportComparison[], charts: readonly ChartSection[], k: number, top: number): string {
  const sections = charts.map(
    (c) => `<h2>${escapeHtml(c.heading)}</h2><p class="caption">${escapeHtml(c.caption)}</p><figure>${c.svg}</figure>`,
  );
  const compared = comparisons.length
    ? `<h2>Models compared on the test requests</h2>${comparisonTable(comparisons, k, top)}`
    : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>AutoFAS search report</title><style>${STYLE}</style></head>
<body><h1>AutoFAS search report</h1>
<h2>Derived model</h2>${summaryTable(history)}
${triesTable(history)}
${neighboursTable(history)}
${compared}
${sections.join('\n')}
</body></html>
`;
}
