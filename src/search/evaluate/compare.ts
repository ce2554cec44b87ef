// Searched model(s) vs baselines on the same held-out requests: trains the baselines on the search's own train
// split, evaluates everything on its test split, and returns the rows the search report plots.
import { join } from 'node:path';
import { trainBaselineOfKind, writeBaseline, type BaselineKind, type BaselineProvenance } from '../baselines/index.js';
import type { StepStatus } from '../search/config.js';
import type { DatasetSplits } from '../data/dataset-types.js';
import { evaluateModels } from './evaluate.js';
import type { EvaluationReport, ReportComparison } from './types.js';

/** A searched artifact to compare; `budgetUs` marks a point of a budget sweep. */
export interface SearchedModel {
  readonly dir: string;
  readonly name?: string;
  readonly budgetUs?: number;
}

/** Options of compareWithBaselines. */
export interface CompareOptions {
  /** Baselines to train. @default ['vector', 'dnn-all'] */
  readonly kinds?: readonly BaselineKind[];
  /** Training epochs of each baseline. @default the baseline trainer's default (the search's retrain epochs) */
  readonly baselineEpochs?: number;
  /** Recall@K / NDCG@K cut and teacher top-set size. @default 100, 10 */
  readonly k?: number;
  readonly top?: number;
  /** ORT threads for training and scoring. @default 1 */
  readonly threads?: number;
  /** Seed of the baselines. @default 1 */
  readonly seed?: number;
  /** Provenance written into the baselines' cards. @default marks them as made by compareWithBaselines */
  readonly provenance?: BaselineProvenance;
  /** Further artifacts (e.g. the teacher) evaluated into the report but kept out of the plotted comparisons. @default [] */
  readonly references?: readonly { readonly dir: string; readonly name: string }[];
  /** Progress of each baseline's training. @default undefined */
  readonly onStep?: (kind: BaselineKind, status: StepStatus) => void;
}

/**
 * Trains each baseline on `splits.train` (validation recall on `splits.validation`) into `outDir/baselines/<kind>`,
 * then evaluates the searched models and the baselines on `splits.test`. A single searched model is the
 * 'searched' point; several are all 'sweep' points (the budget sweep); baselines are 'baseline' points.
 */
export async function compareWithBaselines(
  outDir: string,
  searched: readonly SearchedModel[],
  splits: DatasetSplits,
  options: CompareOptions = {},
): Promise<{ comparisons: ReportComparison[]; report: EvaluationReport }> {
  const kinds = options.kinds ?? ['vector', 'dnn-all'];
  const k = options.k ?? 100;
  const top = options.top ?? 10;
  const provenance = options.provenance ?? { logsHash: 'search-train-split', specHash: 'search-spec', toolVersion: 'autofas', command: 'compareWithBaselines' };
  const baselineDirs: string[] = [];
  for (const kind of kinds) {
    const trained = await trainBaselineOfKind(splits.train, {
      kind,
      epochs: options.baselineEpochs,
      seed: options.seed ?? 1,
      threads: options.threads ?? 1,
      validation: splits.validation.requests > 0 ? splits.validation : undefined,
      recallK: k,
      recallTop: top,
      onStep: options.onStep ? (s) => options.onStep?.(kind, s) : undefined,
    });
    const dir = join(outDir, 'baselines', kind);
    await writeBaseline(dir, trained, provenance, splits.train);
    baselineDirs.push(dir);
  }
  const references = options.references ?? [];
  const names = [...searched.map((s, i) => s.name ?? (s.budgetUs === undefined ? (i === 0 ? 'searched' : `searched-${i}`) : `searched@${s.budgetUs}us`)), ...kinds, ...references.map((r) => r.name)];
  const dirs = [...searched.map((s) => s.dir), ...baselineDirs, ...references.map((r) => r.dir)];
  const report = await evaluateModels(splits.test, dirs, { k, top, threads: options.threads ?? 1, names });
  const compared = report.rows.slice(0, searched.length + baselineDirs.length);
  const comparisons = compared.map((row, i): ReportComparison => {
    if (i >= searched.length) return { ...row, role: 'baseline' };
    const budgetUs = searched[i].budgetUs;
    return { ...row, role: i === 0 && searched.length === 1 ? 'searched' : 'sweep', ...(budgetUs === undefined ? {} : { budgetUs }) };
  });
  return { comparisons, report };
}
