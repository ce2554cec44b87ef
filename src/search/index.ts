// The programmatic searcher (`autofas/search`): what the `autofas` CLI does, as functions. Teacher logs enter through
// loadDataset and splitByRequest; runSearch searches, derives, retrains and exports a model; trainBaselineOfKind and
// writeBaseline make the comparison pre-rankers; evaluateModels and compareWithBaselines measure them side by side;
// writeSearchReport draws report.html. The stage folders below hold the rest (not part of the package's API).
export { loadDataset, heldOutFractions, splitByRequest } from './data/dataset.js';
export type { Dataset, DatasetSplits, LoadDatasetOptions, LoadReport, SplitFractions } from './data/dataset.js';
export { runSearch } from './search/run-search.js';
export type { SearchOutput, SearchResult } from './search/run-search.js';
export { parseSearchOptions, toConfig, fromConfig } from './search/config.js';
export type { SearchConfig, SearchOptions } from './search/config.js';
export { HISTORY_FILE } from './search/history.js';
export type { SearchHistory } from './search/history.js';
export { DEFAULT_LATENCY_TABLE, loadLatencyTable } from './latency/latency-table.js';
export type { LatencyTable } from './latency/latency-table.js';
export { profileLatency } from './latency/profile.js';
export type { ProfileOptions } from './latency/profile.js';
export { BASELINE_KINDS, trainBaselineOfKind, writeBaseline } from './baselines/index.js';
export type { BaselineKind, TrainBaselineOptions, TrainedBaseline } from './baselines/index.js';
export { evaluateModels } from './evaluate/evaluate.js';
export type { EvaluateOptions } from './evaluate/evaluate.js';
export { compareWithBaselines } from './evaluate/compare.js';
export type { CompareOptions, SearchedModel } from './evaluate/compare.js';
export { formatEvaluationTable } from './evaluate/table.js';
export type { EvaluationReport, EvaluationRow, ReportComparison } from './evaluate/types.js';
export { writeSearchReport, REPORT_FILE } from './report/index.js';
export type { SearchReportOptions } from './report/index.js';
