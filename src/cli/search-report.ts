// report.html for `autofas search`: evaluates the searched model, sweep models and baselines on the test split.
import { basename, join, resolve } from 'node:path';
import { loadArtifact, type Artifact } from '../schema/artifact.js';
import { evaluateArtifact } from '../search/evaluate/evaluate.js';
import type { ReportComparison } from '../search/evaluate/types.js';
import { writeSearchReport } from '../search/report/write-report.js';
import type { SearchResult } from '../search/search/run-search.js';
import { runSweep, sweepSearchOf, type SweepSearch } from '../search/search/sweep.js';

/** What the report needs from the command line. */
export interface ReportFlags {
  readonly out: string;
  readonly compare?: readonly string[];
  readonly sweep?: readonly number[];
  readonly threads: number;
}

/** Runs the sweep searches (through `searchAt`, monotone: see runSweep), evaluates every model on the test split and writes report.html. */
export async function writeReport(
  result: SearchResult,
  flags: ReportFlags,
  searchAt: (budgetUs: number, out: string) => Promise<SweepSearch>,
): Promise<string> {
  const test = result.splits.test;
  const { recallK: k, recallTop: top } = result.config;
  // evaluateArtifact checks the ONNX inputs on the session it opens, so loading skips its own check.
  const load = (dir: string) => loadArtifact(resolve(dir), { spec: test.spec, checkOnnx: false });
  const evaluate = async (artifact: Artifact, role: ReportComparison['role'], name: string, budgetUs?: number): Promise<ReportComparison> => {
    const row = await evaluateArtifact(test, artifact, name, { k, top, threads: flags.threads });
    return { ...row, role, ...(budgetUs !== undefined ? { budgetUs } : {}) };
  };
  const rows: ReportComparison[] = [await evaluate(await load(flags.out), 'searched', basename(resolve(flags.out)), result.config.budgetUs)];
  const searched = sweepSearchOf(result);
  const main = result.config.budgetUs === undefined ? [] : [{ ...searched, budgetUs: result.config.budgetUs, dir: flags.out, searchedValidRecall: searched.validRecall }];
  const points = await runSweep(flags.sweep ?? [], (budgetUs) => join(flags.out, `sweep-${budgetUs}`), searchAt, main);
  for (const p of points) {
    const name = `budget ${p.budgetUs} µs${p.keptFrom !== undefined ? ` (= ${p.keptFrom} µs model)` : ''}`;
    rows.push(await evaluate(await load(p.dir), 'sweep', name, p.budgetUs));
  }
  for (const dir of flags.compare ?? []) {
    const artifact = await load(dir);
    rows.push(await evaluate(artifact, 'baseline', `${artifact.card.kind} (${basename(resolve(dir))})`));
  }
  return writeSearchReport(flags.out, result.history, rows, { k, top });
}
