// The admin router's status page: one self-contained HTML page (inline style and script, no external URL) that refreshes itself.
import type { StatusSnapshot } from './status.js';

/** Seconds between the page's refreshes of `status.json`. */
export const STATUS_REFRESH_SECONDS = 5;

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.3em}h2{font-size:1.05em;margin-top:1.4em}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}.open{color:#b00;font-weight:bold}.closed{color:#070}.halfOpen{color:#a60}
small{color:#666}`;

// Runs in the browser: renders the embedded snapshot at once, then polls status.json next to the page.
const SCRIPT = `(() => {
const $ = (id) => document.getElementById(id);
const fmt = (x, d) => (x === null || x === undefined ? '–' : Number(x).toFixed(d));
const pct = (x) => (x === null || x === undefined ? '–' : (100 * x).toFixed(1) + '%');
const ci = (c) => (c ? fmt(c.mean, 3) + ' [' + fmt(c.lo, 3) + ', ' + fmt(c.hi, 3) + '] n=' + c.n : '–');
function row(table, cells) {
  const tr = document.createElement('tr');
  for (const [key, text] of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    if (key) td.dataset.field = key;
    tr.appendChild(td);
  }
  table.appendChild(tr);
}
function clear(id) { const t = $(id); while (t.rows.length > 1) t.deleteRow(1); return t; }
function render(s) {
  $('breaker').textContent = s.breaker;
  $('breaker').className = s.breaker;
  $('updated').textContent = s.at + ' (up ' + fmt(s.uptimeSeconds, 0) + ' s)';
  const models = clear('models');
  for (const role of ['model', 'baseline']) {
    const m = s.models[role];
    if (m) row(models, [[null, role], [role + '.modelId', m.modelId], [null, m.kind], [role + '.features', String(m.features)], [null, fmt(m.expectedUs, 0)], [null, m.createdAt]]);
  }
  const arms = clear('arms');
  for (const a of s.arms) {
    const paths = Object.entries(a.pathShare).map(([p, x]) => p + ' ' + pct(x)).join(', ');
    const f = (name) => 'arm.' + a.arm + '.' + name;
    row(arms, [[null, a.arm], [f('requests'), String(a.requests)], [f('rate'), fmt(a.ratePerSecond, 2)], [f('paths'), paths],
      [f('p50'), fmt(a.latencyMs && a.latencyMs.p50, 2)], [f('p99'), fmt(a.latencyMs && a.latencyMs.p99, 2)],
      [f('recall'), ci(a.recall)], [f('shadowRecall'), ci(a.shadowRecall)], [f('overlap'), ci(a.shadowOverlap)]]);
  }
  const log = clear('teacherLog');
  const t = s.teacherLog;
  if (t) {
    const kv = (o) => Object.entries(o).map(([k, v]) => k + ' ' + v).join(', ') || '0';
    row(log, [['log.written', String(t.written)], ['log.files', String(t.files)], ['log.dropped', kv(t.dropped)], ['log.skipped', kv(t.skipped)]]);
  }
  document.body.dataset.rendered = s.at;
}
render(JSON.parse($('snapshot').textContent));
const url = location.pathname.replace(/\\/?$/, '/') + 'status.json';
setInterval(() => fetch(url, { cache: 'no-store' }).then((r) => r.json()).then(render).catch(() => { $('updated').textContent += ' (refresh failed)'; }), REFRESH_MS);
})();`;

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The page with the current snapshot embedded (rendered by the page's script, then refreshed from `status.json`). */
export function statusPage(snapshot: StatusSnapshot): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AutoFAS pre-ranker status</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>
<h1>AutoFAS pre-ranker</h1>
<p>Breaker: <span id="breaker"></span> · updated <span id="updated"></span> <small>(refreshes every ${STATUS_REFRESH_SECONDS} s; rates over the last minute)</small></p>
<h2>Active models</h2>
<table id="models"><tr><th>role</th><th>model id</th><th>kind</th><th>features</th><th>expected µs</th><th>created</th></tr></table>
<h2>Arms</h2>
<table id="arms"><tr><th>arm</th><th>requests</th><th>req/s</th><th>share per path</th><th>p50 ms</th><th>p99 ms</th>
<th>online Recall@K [95% CI]</th><th>as shadow</th><th>shadow Overlap@K</th></tr></table>
<h2>Teacher logs</h2>
<table id="teacherLog"><tr><th>lines written</th><th>files</th><th>dropped</th><th>skipped</th></tr></table>
<script type="application/json" id="snapshot">${scriptJson(snapshot)}</script>
<script>${SCRIPT.replace('REFRESH_MS', String(STATUS_REFRESH_SECONDS * 1000))}</script>
</body></html>
`;
}
