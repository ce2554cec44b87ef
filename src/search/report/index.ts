// The search report: charts, page and writer.
export { writeSearchReport, renderCharts, REPORT_FILE, type SearchReportOptions } from './write-report.js';
export { paretoFront, type PlanePoint } from './pareto.js';
export { renderSvg } from './render.js';
