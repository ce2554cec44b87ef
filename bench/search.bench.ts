// Searcher benchmark: search + retrain on a 2M-candidate-row fixture world (2,000 requests x 1,000 candidates), the
// search as it was (mixture weight steps, epochs over the whole weight split) and as it is, back to back, each in its
// own process: wall and CPU time, peak RSS, derived model, test Recall@100.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateFixtures } from '../src/fixtures/generate.js';
import { loadFeatureSpec } from '../src/schema/feature-spec.js';
import { loadDataset } from '../src/search/data/dataset.js';
import { runSearch } from '../src/search/search/run-search.js';
import type { SearchOptions } from '../src/search/search/config.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CANDIDATES = Number(process.env.BENCH_CANDIDATES ?? 1000);
const BUDGET_US = Number(process.env.BENCH_BUDGET_US ?? 800);
const THREADS = Number(process.env.BENCH_THREADS ?? 1);
/** A world generated before (`autofas fixtures --requests 2000 --min-candidates 1000 --max-candidates 1000 --seed 11`). */
const WORLD = process.env.BENCH_WORLD;
/** The configurations compared: `before` is the search before path weight steps and capped epochs, `after` the defaults. */
const CONFIGS: Readonly<Record<string, SearchOptions>> = {
  before: { weightSteps: 'mixture', searchRowsPerEpoch: 2 ** 30 },
  after: {},
};
const RUNS = (process.env.BENCH_CONFIGS ?? 'before,after').split(',');
const TIME_TARGET_S = 240;
const MEMORY_TARGET_MIB = 1536;

/** What one search run reports to the parent. */
interface RunResult {
  readonly name: string;
  readonly rows: number;
  readonly loadS: number;
  readonly searchS: number;
  readonly retrainS: number;
  readonly totalS: number;
  readonly cpuS: number;
  readonly peakRssMiB: number;
  readonly features: readonly string[];
  readonly layers: readonly number[];
  readonly test: Readonly<Record<string, number>>;
}

/** Child process: loads the world, runs search + retrain with one configuration, prints one RESULT line. */
async function child(name: string, world: string): Promise<void> {
  const spec = await loadFeatureSpec(join(world, 'features.json'));
  const t0 = performance.now();
  const { dataset } = await loadDataset([join(world, 'logs.jsonl.gz')], spec, { itemIds: false });
  const loaded = performance.now();
  const cpu0 = process.cpuUsage();
  let retrainAt = 0;
  const out = mkdtempSync(join(tmpdir(), 'autofas-search-bench-model-'));
  const result = await runSearch(dataset, {
    budgetUs: BUDGET_US,
    threads: THREADS,
    ...CONFIGS[name],
    onStep: (s) => void (s.phase === 'retrain' && retrainAt === 0 && (retrainAt = performance.now())),
  }, { out });
  const done = performance.now();
  const cpu = process.cpuUsage(cpu0);
  rmSync(out, { recursive: true, force: true });
  const report: RunResult = {
    name,
    rows: dataset.rows,
    loadS: (loaded - t0) / 1000,
    searchS: ((retrainAt || done) - loaded) / 1000,
    retrainS: (done - (retrainAt || done)) / 1000,
    totalS: (done - loaded) / 1000,
    cpuS: (cpu.user + cpu.system) / 1e6,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    features: result.derived.architecture.features,
    layers: result.derived.architecture.layers,
    test: result.card.metrics.test,
  };
  process.stdout.write(`RESULT ${JSON.stringify(report)}\n`);
}

function runChild(name: string, world: string): RunResult {
  if (!(name in CONFIGS)) throw new Error(`BENCH_CONFIGS: unknown configuration ${name}; have ${Object.keys(CONFIGS).join(', ')}`);
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [self, '--child', name, world], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || !line) throw new Error(`search bench child (${name}) failed with status ${r.status}`);
  return JSON.parse(line.slice('RESULT '.length)) as RunResult;
}

function print(results: readonly RunResult[]): void {
  const fixed = (v: number, d = 1) => v.toFixed(d);
  console.log('configuration | search + derive s | retrain + export s | search + retrain s | CPU s | peak RSS MiB | Recall@100 | NDCG@100 | derived');
  for (const r of results) {
    console.log(
      `${r.name.padEnd(13)} | ${fixed(r.searchS).padStart(16)} | ${fixed(r.retrainS).padStart(17)} | ${fixed(r.totalS).padStart(18)} | ${fixed(r.cpuS).padStart(5)} | ` +
        `${fixed(r.peakRssMiB, 0).padStart(12)} | ${fixed(r.test['recall@100'], 4).padStart(10)} | ${fixed(r.test['ndcg@100'], 4).padStart(8)} | ` +
        `${r.features.length} features, layers ${r.layers.join('-')}`,
    );
  }
}

async function main(): Promise<void> {
  const dir = WORLD ? undefined : mkdtempSync(join(tmpdir(), 'autofas-search-bench-'));
  try {
    const started = performance.now();
    const world = WORLD ?? (await generateFixtures({ requests: REQUESTS, minCandidates: CANDIDATES, maxCandidates: CANDIDATES, out: dir, seed: 11 })).out;
    if (!existsSync(join(world, 'logs.jsonl.gz'))) throw new Error(`BENCH_WORLD ${world} holds no logs.jsonl.gz`);
    const generatedS = (performance.now() - started) / 1000;
    console.log(`world: ${world} (${WORLD ? 'given' : `generated in ${generatedS.toFixed(0)} s`}); budget ${BUDGET_US} us, threads ${THREADS}, default epochs`);
    for (const name of RUNS) console.log(`  ${name}: ${JSON.stringify(CONFIGS[name])}`);
    const results = RUNS.map((name) => runChild(name, world));
    console.log(`${results[0].rows} candidate rows; load ${results.map((r) => `${r.loadS.toFixed(1)} s`).join(' / ')}`);
    print(results);
    const [before, after] = ['before', 'after'].map((name) => results.find((r) => r.name === name));
    if (before && after) console.log(`after / before: wall ${(after.totalS / before.totalS).toFixed(2)}, CPU ${(after.cpuS / before.cpuS).toFixed(2)}, Recall@100 ${(after.test['recall@100'] - before.test['recall@100']).toFixed(4)} difference`);
    if (after) {
      console.log(`after: search + retrain ${after.totalS.toFixed(1)} s (target <= ${TIME_TARGET_S} s); peak RSS ${after.peakRssMiB.toFixed(0)} MiB (target <= ${MEMORY_TARGET_MIB} MiB)`);
      if (after.totalS > TIME_TARGET_S || after.peakRssMiB > MEMORY_TARGET_MIB) process.exitCode = 1;
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main();
