// Loads teacher logs (.jsonl / .jsonl.gz) into a columnar Dataset; errors name the file, line and field.
import { autofasError, optionError } from '../../schema/errors.js';
import { parseFeatureSpec, type FeatureSpec } from '../../schema/feature-spec.js';
import { DatasetBuilder } from './dataset-builder.js';
import type { Dataset, LoadDatasetOptions, LoadProblem, LoadProgress, LoadReport } from './dataset-types.js';
import { parseLogLine, readLogLines } from './log-reader.js';

export type * from './dataset-types.js';
export { heldOutFractions, splitByRequest, subsetRequests } from './dataset-split.js';

interface LoadConfig {
  readonly skipBadLines: boolean;
  readonly strict: boolean;
  readonly maxReportedErrors: number;
  readonly itemIds: boolean;
  readonly onProgress: ((progress: LoadProgress) => void) | undefined;
  readonly progressEvery: number;
}

const OPTION_NAMES = ['skipBadLines', 'strict', 'maxReportedErrors', 'itemIds', 'onProgress', 'progressEvery'];

function parseLoadOptions(options: LoadDatasetOptions | undefined): LoadConfig {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) throw optionError('options', 'must be an object', options);
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) {
      const near = OPTION_NAMES.find((n) => n.toLowerCase() === key.toLowerCase().replace(/[-_]/g, ''));
      throw optionError(key, 'is not a loadDataset option', (options as Record<string, unknown>)[key], near ? `did you mean \`${near}\`?` : '');
    }
  }
  const { skipBadLines = false, strict = false, maxReportedErrors = 100, itemIds = true, onProgress, progressEvery = 1000 } = options;
  if (typeof skipBadLines !== 'boolean') throw optionError('skipBadLines', 'must be a boolean', skipBadLines);
  if (typeof strict !== 'boolean') throw optionError('strict', 'must be a boolean', strict);
  if (typeof itemIds !== 'boolean') throw optionError('itemIds', 'must be a boolean', itemIds);
  if (!Number.isInteger(maxReportedErrors) || maxReportedErrors < 0) {
    throw optionError('maxReportedErrors', 'must be a non-negative integer', maxReportedErrors);
  }
  if (!Number.isInteger(progressEvery) || progressEvery < 1) throw optionError('progressEvery', 'must be a positive integer', progressEvery);
  if (onProgress !== undefined && typeof onProgress !== 'function') throw optionError('onProgress', 'must be a function', onProgress);
  return { skipBadLines, strict, maxReportedErrors, itemIds, onProgress, progressEvery };
}

function checkInputs(paths: readonly string[], spec: FeatureSpec): void {
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && p.length > 0)) {
    throw optionError('paths', 'must be a non-empty array of file paths', paths);
  }
  parseFeatureSpec(spec, 'loadDataset spec');
}

class LoadState {
  lines = 0;
  skipped = 0;
  readonly errors: LoadProblem[] = [];
  constructor(readonly builder: DatasetBuilder, readonly config: LoadConfig) {}

  /** Records a bad line: throws it by default, or counts it with skipBadLines. */
  reject(problem: LoadProblem): void {
    if (!this.config.skipBadLines) {
      throw autofasError(problem.code, problem.message, { file: problem.file, line: problem.line });
    }
    this.skipped++;
    if (this.errors.length < this.config.maxReportedErrors) this.errors.push(problem);
  }
}

async function loadFile(file: string, fileIndex: number, state: LoadState): Promise<void> {
  const { builder, config } = state;
  let fileLines = 0;
  let bytes = 0;
  const progress = (): void => {
    config.onProgress?.({ file, fileIndex, lines: state.lines, requests: builder.requests, rows: builder.rows, bytes });
  };
  for await (const { text, line, bytes: read } of readLogLines(file)) {
    bytes = read;
    if (text.trim() === '') continue;
    fileLines++;
    state.lines++;
    let record: unknown;
    try {
      record = parseLogLine(file, line, text);
    } catch (err) {
      state.reject({ file, line, code: 'ERR_AUTOFAS_LOG_PARSE', message: (err as Error).message });
      continue;
    }
    const bad = builder.add(record);
    if (bad) state.reject({ file, line, code: 'ERR_AUTOFAS_LOG_FIELD', message: `${file} line ${line}: ${bad.field}: ${bad.message}` });
    if (config.onProgress && state.lines % config.progressEvery === 0) progress();
  }
  if (fileLines === 0) throw autofasError('ERR_AUTOFAS_LOG_EMPTY', `${file}: the log file is empty`, { file, line: 0 });
  progress();
}

/**
 * Streams teacher logs into one columnar Dataset. By default the first malformed line stops the load with a coded
 * error (`ERR_AUTOFAS_LOG_PARSE` for bad JSON, `ERR_AUTOFAS_LOG_FIELD` for a bad field) naming file, line and field;
 * with `skipBadLines` such lines are counted, reported and skipped. A logged feature the spec does not name is ignored
 * and counted in `report.ignoredFeatures` (a bad line with `strict`). An empty file, or no request at all, is
 * `ERR_AUTOFAS_LOG_EMPTY`; a corrupt gzip stream `ERR_AUTOFAS_LOG_GZIP`.
 */
export async function loadDataset(
  paths: readonly string[],
  spec: FeatureSpec,
  options?: LoadDatasetOptions,
): Promise<{ dataset: Dataset; report: LoadReport }> {
  const config = parseLoadOptions(options);
  checkInputs(paths, spec);
  const state = new LoadState(new DatasetBuilder(spec, config.itemIds, config.strict), config);
  for (let i = 0; i < paths.length; i++) await loadFile(paths[i], i, state);
  if (state.builder.requests === 0) {
    throw autofasError('ERR_AUTOFAS_LOG_EMPTY', `${paths.join(', ')}: no valid request in ${state.lines} line(s)`, {
      lines: state.lines,
      skipped: state.skipped,
    });
  }
  const dataset = state.builder.finish();
  const report: LoadReport = {
    files: paths.length,
    lines: state.lines,
    requests: dataset.requests,
    rows: dataset.rows,
    skipped: state.skipped,
    errors: state.errors,
    ignoredFeatures: state.builder.ignoredFeatures(),
  };
  return { dataset, report };
}

/** Bytes held by a dataset's typed arrays (item-id strings not counted). */
export function datasetBytes(dataset: Dataset): number {
  let total = dataset.requestOffsets.byteLength + dataset.teacher.byteLength + dataset.labels.byteLength;
  for (const col of dataset.context.values()) total += col.byteLength;
  for (const col of dataset.columns.values()) total += col.byteLength;
  return total + (dataset.itemIds?.index.byteLength ?? 0);
}

/** One human line for CLIs: `read 48 requests, 34591 candidates from 1 file`. */
export function describeLoad(report: LoadReport): string {
  return `read ${report.requests} requests, ${report.rows} candidates from ${plural(report.files, 'file')}`;
}

/**
 * What a CLI must always show about a load, one line each: the skipped lines (with the first problem) and the logged
 * features the spec does not name. Empty for a clean load.
 */
export function loadWarnings(report: LoadReport): string[] {
  const lines: string[] = [];
  if (report.skipped > 0) {
    const first = report.errors[0] ? ` (first: ${report.errors[0].message})` : '';
    lines.push(`skipped ${plural(report.skipped, 'bad line')} of ${report.lines}${first}`);
  }
  const ignored = report.ignoredFeatures;
  if (ignored.length > 0) {
    const names = ignored.map((f) => `${f.name} (${f.where === 'context' ? plural(f.count, 'context') : plural(f.count, 'candidate')})`);
    lines.push(`ignored ${plural(ignored.length, 'logged feature')} the feature spec does not name: ${names.join(', ')}`);
  }
  return lines;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
