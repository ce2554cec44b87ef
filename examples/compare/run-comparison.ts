// The comparison pipeline shared by the examples: search (one budget or a sweep), baselines, evaluate, report.
import { join } from 'node:path';
import { loadFeatureSpec } from '../../src/schema/feature-spec.js';
import { compareWithBaselines, type SearchedModel } from '../../src/search/evaluate/compare.js';
import { trainFscd, type BaselineKind } from '../../src/search/baselines/index.js';
import { loadDataset } from '../../src/search/data/dataset.js';
import { formatEvaluationTable } from '../../src/search/evaluate/table.js';
import { writeSearchReport } from '../../src/search/report/index.js';
import { runSearch, type SearchResult } from '../../src/search/search/run-search.js';
import { runSweep, sweepSearchOf } from '../../src/search/search/sweep.js';

export interface ComparisonInput {
  readonly logs: readonly string[];
  readonly features: string;
  readonly out: string;
  /** Latency budget per 1000 candidates of the searched model; lambda2 default when omitted. */
  readonly budgetUs?: number;
  /** Several budgets: one search each, drawn as the Pareto front. */
  readonly sweep?: readonly number[];
  readonly epochs?: number;
  readonly baselineEpochs?: number;
  /** Baselines to train on the search's split: vector, dnn-all, cold, fscd. @default ['vector', 'dnn-all'] */
  readonly baselines?: readonly string[];
  readonly seed?: number;
  /** Recall@K cut and the teacher's top-set size. @default 100, 10 */
  readonly k?: number;
  readonly top?: number;
  /** Artifacts evaluated into the table but not plotted (e.g. the teacher). */
  readonly extraModels?: readonly { readonly dir: string; readonly name: string }[];
  readonly log?: (line: string) => void;
}

/** Runs the pipeline and returns the printed table and the report's path. */
export async function runComparison(input: ComparisonInput): Promise<{ table: string; reportPath: string; rows: Awaited<ReturnType<typeof compareWithBaselines>>['report'] }> {
  const log = input.log ?? (() => {});
  const spec = await loadFeatureSpec(input.features);
  const { dataset } = await loadDataset(input.logs, spec, { itemIds: false });
  log(`loaded ${dataset.requests} requests, ${dataset.rows} candidates`);
  const searched: SearchedModel[] = [];
  let first: SearchResult | undefined;
  const search = async (budgetUs: number | undefined, dir: string): Promise<SearchResult> => {
    const t0 = Date.now();
    const result = await runSearch(dataset, { seed: input.seed ?? 1, recallK: input.k ?? 100, recallTop: input.top ?? 10, ...(budgetUs === undefined ? {} : { budgetUs }), ...(input.epochs ? { epochs: input.epochs } : {}) }, { out: dir });
    log(`searched ${dir} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${result.history.derived.features.length} features, layers ${JSON.stringify(result.history.derived.layers)}`);
    first ??= result;
    return result;
  };
  if (input.sweep?.length) {
    // Monotone front: a budget whose search ends worse on validation than a cheaper one keeps the cheaper model.
    const points = await runSweep(input.sweep, (budgetUs) => join(input.out, `searched-${budgetUs}us`), async (budgetUs, dir) => sweepSearchOf(await search(budgetUs, dir)));
    for (const p of points) {
      if (p.keptFrom !== undefined) log(`budget ${p.budgetUs} us: search ended at validation recall ${p.searchedValidRecall.toFixed(4)}, keeps the ${p.keptFrom} us model (${p.validRecall.toFixed(4)})`);
      searched.push({ dir: p.dir, budgetUs: p.budgetUs });
    }
  } else {
    const dir = join(input.out, input.budgetUs === undefined ? 'searched' : `searched-${input.budgetUs}us`);
    await search(input.budgetUs, dir);
    searched.push({ dir, ...(input.budgetUs === undefined ? {} : { budgetUs: input.budgetUs }) });
  }
  const splits = (first as SearchResult).splits;
  const t0 = Date.now();
  const wanted = (input.baselines ?? ['vector', 'dnn-all']).filter((k) => k !== 'none' && k !== '');
  const kinds = wanted.filter((k): k is BaselineKind => k !== 'fscd');
  const references = [...(input.extraModels ?? [])];
  if (wanted.includes('fscd')) {
    // FSCD is the searcher on a fixed network: it splits the same logs by request with the same seed.
    const dir = join(input.out, 'baselines', 'fscd');
    await trainFscd(dataset, dir, { seed: input.seed ?? 1, recallK: input.k ?? 100, recallTop: input.top ?? 10, ...(input.epochs ? { epochs: input.epochs } : {}) });
    references.unshift({ dir, name: 'fscd' });
  }
  const { comparisons, report } = await compareWithBaselines(input.out, searched, splits, { kinds, baselineEpochs: input.baselineEpochs, seed: input.seed ?? 1, k: input.k, top: input.top, references });
  log(`baselines trained and everything evaluated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const reportPath = await writeSearchReport(searched[0].dir, (first as SearchResult).history, comparisons, { k: report.k, top: report.top });
  return { table: formatEvaluationTable(report), reportPath, rows: report };
}
