// A budget sweep with a monotone Pareto front: more budget never gives a worse model on validation.
import { cp, mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CARD_FILE, MODEL_FILE } from '../../schema/artifact.js';
import { HISTORY_FILE, type SearchHistory } from './history.js';

/** What one search of the sweep reports back. */
export interface SweepSearch {
  /** Validation Recall@K of the exported model. */
  readonly validRecall: number;
  /** Table latency of the exported model per 1000 candidates. */
  readonly expectedUs: number;
}

/** One budget of the sweep and the model its directory holds. */
export interface SweepPoint extends SweepSearch {
  readonly budgetUs: number;
  readonly dir: string;
  /** The search at this budget ended worse on validation than a cheaper budget's model, which the directory now holds. */
  readonly keptFrom?: number;
  /** The validation recall of this budget's own search (equal to validRecall unless keptFrom is set). */
  readonly searchedValidRecall: number;
}

/** Where a kept-over search's own output is moved, inside the budget's directory. */
export const OWN_SEARCH_DIR = 'own-search';
export const SWEEP_FILE = 'sweep.json';
/** The files of a searched model that a kept-over budget copies. */
const MODEL_FILES = [MODEL_FILE, CARD_FILE, HISTORY_FILE];

/**
 * Searches each budget in increasing order (`searchAt` writes an artifact into `dirOf(budget)`). When a search ends
 * worse on validation than the best model of a cheaper budget, that cheaper model is copied into the directory (the
 * search's own output moves to `own-search/`): the better cheaper model also fits the larger budget. Every
 * directory gets `sweep.json` saying which it holds. `seed` points (e.g. the main search) take part as cheaper models.
 */
export async function runSweep(
  budgets: readonly number[],
  dirOf: (budgetUs: number) => string,
  searchAt: (budgetUs: number, dir: string) => Promise<SweepSearch>,
  seed: readonly SweepPoint[] = [],
): Promise<SweepPoint[]> {
  const done: SweepPoint[] = [...seed];
  const out: SweepPoint[] = [];
  for (const budgetUs of [...new Set(budgets)].sort((a, b) => a - b)) {
    const dir = dirOf(budgetUs);
    const own = await searchAt(budgetUs, dir);
    const best = bestWithin(done, budgetUs);
    let point: SweepPoint = { ...own, budgetUs, dir, searchedValidRecall: own.validRecall };
    if (best && best.validRecall > own.validRecall) {
      await keepCheaper(best.dir, dir);
      point = { ...point, validRecall: best.validRecall, expectedUs: best.expectedUs, keptFrom: best.keptFrom ?? best.budgetUs };
    }
    await writeFile(join(dir, SWEEP_FILE), `${JSON.stringify(sweepRecord(point), null, 1)}\n`);
    done.push(point);
    out.push(point);
  }
  return out;
}

/** The best model on validation among those searched for budgets up to `budgetUs` (the cheapest on ties). */
function bestWithin(points: readonly SweepPoint[], budgetUs: number): SweepPoint | undefined {
  let best: SweepPoint | undefined;
  for (const p of points) {
    if (p.budgetUs > budgetUs || p.expectedUs > budgetUs) continue;
    if (!best || p.validRecall > best.validRecall || (p.validRecall === best.validRecall && p.expectedUs < best.expectedUs)) best = p;
  }
  return best;
}

/** Moves the search's own artifact to own-search/ and copies the cheaper model's files in its place. */
async function keepCheaper(from: string, dir: string): Promise<void> {
  const own = join(dir, OWN_SEARCH_DIR);
  await mkdir(own, { recursive: true });
  for (const name of await readdir(dir)) if (name !== OWN_SEARCH_DIR) await rename(join(dir, name), join(own, name));
  for (const name of MODEL_FILES) await cp(join(from, name), join(dir, name));
}

function sweepRecord(p: SweepPoint): Record<string, unknown> {
  return {
    budgetUs: p.budgetUs,
    validRecall: p.validRecall,
    expectedUs: p.expectedUs,
    searchedValidRecall: p.searchedValidRecall,
    ...(p.keptFrom !== undefined ? { keptFrom: p.keptFrom, note: `the search at ${p.budgetUs} us ended worse on validation; the model of the ${p.keptFrom} us budget is kept (own result in ${OWN_SEARCH_DIR}/)` } : {}),
  };
}

/** What the sweep needs of a search result: its validation recall and table latency. */
export function sweepSearchOf(result: { readonly history: SearchHistory }): SweepSearch {
  const last = result.history.retrain.at(-1)?.validRecall;
  return { validRecall: last ?? Number.NEGATIVE_INFINITY, expectedUs: result.history.derived.expectedUs };
}
