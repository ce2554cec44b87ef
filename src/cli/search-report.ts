// report.html for `autofas search`: evaluates the searched model, sweep models and baselines on the test split.
import { basename, join, resolve } from 'node:path';
import { loadArtifact } from '../schema/artifact.js';
import { evaluateArtifact } from '../search/evaluate/evaluate.js';
import type { ReportComparison } from '../search/evaluate/types.js';
import { writeSearchReport } from '../search/report/write-report.js';
import type { SearchResult } from '../search/search/run-search.js';

/** What the report needs from the command line. */
export interface ReportFlags {
  readonly out: string;
  readonly compare?: readonly string[];
  readonly sweep?: readonly number[];
  readonly threads: number;
}

/** Runs the sweep searches (through `searchAt`), evaluates every model on the test split and writes report.html. */
export async function writeReport(
  result: SearchResult,
  flags: ReportFlags,
  searchAt: (budgetUs: number, out: string) => Promise<void>,
): Promise<string> {
  const test = result.splits.test;
  const { recallK: k, recallTop: top } = result.config;
  const evaluate = async (dir: string, role: ReportComparison['role'], name: string, budgetUs?: number): Promise<ReportComparison> => {
    const artifact = await loadArtifact(resolve(dir), { spec: test.spec });
    const row = await evaluateArtifact(test, artifact, name, { k, top, threads: flags.threads });
    return { ...row, role, ...(budgetUs !== undefined ? { budgetUs } : {}) };
  };
  const rows: ReportComparison[] = [await evaluate(flags.out, 'searched', basename(resolve(flags.out)), result.config.budgetUs)];
  for (const budgetUs of flags.sweep ?? []) {
    const dir = join(flags.out, `sweep-${budgetUs}`);
    await searchAt(budgetUs, dir);
    rows.push(await evaluate(dir, 'sweep', `budget ${budgetUs} µs`, budgetUs));
  }
  for (const dir of flags.compare ?? []) {
    const artifact = await loadArtifact(resolve(dir), { spec: test.spec });
    rows.push(await evaluate(dir, 'baseline', `${artifact.card.kind} (${basename(resolve(dir))})`));
  }
  return writeSearchReport(flags.out, result.history, rows, { k, top });
}
