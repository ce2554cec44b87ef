// Stage 8, report: the search history and the evaluation rows enter; a self-contained report.html (charts, Pareto
// front, tables) leaves.
export { writeSearchReport, renderCharts, REPORT_FILE, type SearchReportOptions } from './write-report.js';
export { paretoFront, type PlanePoint } from './pareto.js';
export { renderSvg } from './render.js';
export { formatAbReport, writeAbReportHtml } from './ab-page.js';
