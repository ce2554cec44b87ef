// The `autofas ab-report --html` page: the per-arm table and two charts (Recall@K with CIs, bootstrap distribution of the difference), offline.
import { writeFile } from 'node:fs/promises';
import type { TopLevelSpec } from 'vega-lite';
import type { AbDifference, AbReport } from '../evaluate/ab-report.js';
import { escapeHtml, STYLE } from './html.js';
import { renderSvg } from './render.js';

const f3 = (x: number): string => x.toFixed(3);
const signed = (x: number): string => `${x >= 0 ? '+' : ''}${f3(x)}`;

/** One line per arm, then the differences, as the CLI prints them. */
export function formatAbReport(report: AbReport): string {
  const lines = [`Recall@K of each arm against the ranking hop's top ${report.top} (95% bootstrap CI over users, ${report.bootstrap} replicates)`, ''];
  lines.push(`${'arm'.padEnd(10)} ${'K'.padStart(5)} ${'users'.padStart(7)} ${'requests'.padStart(9)}  Recall@K  95% CI`);
  for (const a of report.arms) {
    lines.push(`${a.arm.padEnd(10)} ${String(a.k).padStart(5)} ${String(a.users).padStart(7)} ${String(a.requests).padStart(9)}  ${f3(a.mean).padStart(8)}  [${f3(a.lo)}, ${f3(a.hi)}]`);
  }
  const diff = (label: string, d: AbDifference | null): void => {
    if (!d) return;
    const verdict = d.lo > 0 ? `${d.a} better` : d.hi < 0 ? `${d.b} better` : 'no significant difference';
    lines.push(`${label} ${d.a} - ${d.b}: ${signed(d.mean)} [${signed(d.lo)}, ${signed(d.hi)}] over ${d.users} users: ${verdict}`);
  };
  lines.push('');
  diff('difference (A/B, each arm on its own users)', report.difference);
  diff('paired difference (shadow scores, same requests)', report.paired);
  const skipped = Object.entries(report.skipped).map(([k, v]) => `${k} ${v}`).join(', ');
  if (skipped) lines.push(`skipped requests: ${skipped}`);
  return `${lines.join('\n')}\n`;
}

function armsSpec(report: AbReport): TopLevelSpec {
  const values = report.arms.map((a) => ({ arm: a.arm, recall: a.mean, lo: a.lo, hi: a.hi }));
  return {
    title: `Recall@K per arm (teacher top ${report.top}), 95% CI`,
    width: 420,
    height: 60 + 40 * values.length,
    data: { values },
    encoding: { y: { field: 'arm', type: 'nominal', title: null } },
    layer: [
      { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { field: 'lo', type: 'quantitative', title: 'Recall@K', scale: { zero: false } }, x2: { field: 'hi' } } },
      { mark: { type: 'point', filled: true, size: 80 }, encoding: { x: { field: 'recall', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

function differenceSpec(d: AbDifference, title: string): TopLevelSpec {
  return {
    title,
    width: 420,
    height: 200,
    layer: [
      {
        data: { values: d.replicates.map((x) => ({ diff: x })) },
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: { x: { field: 'diff', type: 'quantitative', bin: { maxbins: 40 }, title: `${d.a} - ${d.b}` }, y: { aggregate: 'count', type: 'quantitative', title: 'replicates' } },
      },
      { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#b00', strokeDash: [4, 3] }, encoding: { x: { field: 'zero', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

/** Renders the page (charts as inline SVG) and writes it to `file`. */
export async function writeAbReportHtml(report: AbReport, file: string): Promise<void> {
  const charts: string[] = [];
  if (report.arms.length) charts.push(await renderSvg(armsSpec(report)));
  if (report.difference) charts.push(await renderSvg(differenceSpec(report.difference, 'Bootstrap distribution of the difference (A/B)')));
  if (report.paired) charts.push(await renderSvg(differenceSpec(report.paired, 'Bootstrap distribution of the paired difference (shadow)')));
  const page = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>AutoFAS A/B report</title><style>${STYLE}</style></head>
<body><h1>AutoFAS A/B report</h1>
<pre>${escapeHtml(formatAbReport(report))}</pre>
${charts.map((svg) => `<figure>${svg}</figure>`).join('\n')}
</body></html>
`;
  await writeFile(file, page);
}
