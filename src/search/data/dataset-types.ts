// Public types of the columnar teacher-log dataset the searcher trains and evaluates on.
import type { FeatureSpec } from '../../schema/feature-spec.js';
import type { Column } from './column-builder.js';

export type { Column } from './column-builder.js';

/** Item ids stored compactly: each distinct id once in `table`, one int32 per row in `index`. */
export interface ItemIds {
  readonly table: readonly string[];
  /** rows entries: `table[index[row]]` is the row's item_id. */
  readonly index: Int32Array;
}

/**
 * Teacher logs as typed columns. Row r of request q lies in `requestOffsets[q] <= r < requestOffsets[q+1]`.
 * Every column holds encoded values (the shared encoder's output): float32 for numeric/vector features, int32
 * vocab/hash indices for categorical ones; a feature of width w (vector dim, else 1) takes w consecutive entries.
 */
export interface Dataset {
  readonly spec: FeatureSpec;
  /** Number of requests (log lines kept). */
  readonly requests: number;
  /** Number of candidate rows over all requests. */
  readonly rows: number;
  readonly requestIds: readonly string[];
  /** requests + 1 entries; requestOffsets[requests] === rows. */
  readonly requestOffsets: Int32Array;
  /** Context features by name, `requests * width` entries each. */
  readonly context: ReadonlyMap<string, Column>;
  /** Item and cross features by name, `rows * width` entries each. */
  readonly columns: ReadonlyMap<string, Column>;
  /** The ranking model's score per row. */
  readonly teacher: Float32Array;
  /** Label per row; NaN where the log had none. */
  readonly labels: Float32Array;
  /** True when at least one row carries a label. */
  readonly hasLabels: boolean;
  /** Present unless loaded with `itemIds: false`. */
  readonly itemIds?: ItemIds;
}

/** One line the loader rejected. */
export interface LoadProblem {
  readonly file: string;
  readonly line: number;
  readonly code: 'ERR_AUTOFAS_LOG_PARSE' | 'ERR_AUTOFAS_LOG_FIELD';
  readonly message: string;
}

/** A feature the logs carry but the spec does not name (ignored unless `strict`). */
export interface IgnoredFeature {
  readonly name: string;
  /** Logged in the request `context` or in candidates' `features`. */
  readonly where: 'context' | 'candidates';
  /** Contexts (requests) or candidates of the loaded lines that logged it. */
  readonly count: number;
}

/** What a load saw, beside the dataset. */
export interface LoadReport {
  readonly files: number;
  /** Non-blank lines read over all files. */
  readonly lines: number;
  readonly requests: number;
  readonly rows: number;
  /** Lines rejected (only non-zero with `skipBadLines`). */
  readonly skipped: number;
  /** The first `maxReportedErrors` rejected lines. */
  readonly errors: readonly LoadProblem[];
  /** Logged features the spec does not name, by name (empty with `strict`, which rejects them). */
  readonly ignoredFeatures: readonly IgnoredFeature[];
}

/** Progress of a load, reported about every `progressEvery` lines and at the end of each file. */
export interface LoadProgress {
  readonly file: string;
  readonly fileIndex: number;
  readonly lines: number;
  readonly requests: number;
  readonly rows: number;
  /** Decompressed bytes read from the current file. */
  readonly bytes: number;
}

/** Options of loadDataset. */
export interface LoadDatasetOptions {
  /** Count, report and skip malformed lines instead of stopping at the first one. @default false */
  readonly skipBadLines?: boolean;
  /**
   * Treat a logged feature the spec does not name as a bad line (`ERR_AUTOFAS_LOG_FIELD` naming file, line and
   * field) instead of ignoring it and counting it in `LoadReport.ignoredFeatures`. @default false
   */
  readonly strict?: boolean;
  /** How many rejected lines the report keeps (all are counted). @default 100 */
  readonly maxReportedErrors?: number;
  /** Keep item ids (interned). @default true */
  readonly itemIds?: boolean;
  /** Called with load progress. @default undefined */
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Lines between progress calls. @default 1000 */
  readonly progressEvery?: number;
}

/** Fractions of requests per split; must be >= 0 and sum to 1. */
export interface SplitFractions {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
}

/** Three datasets with no request in common. */
export interface DatasetSplits {
  readonly train: Dataset;
  readonly validation: Dataset;
  readonly test: Dataset;
}
