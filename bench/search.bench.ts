// Searcher benchmark: search + retrain on a 200k-candidate-row fixture world; wall time and peak RSS vs targets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateFixtures } from '../src/fixtures/generate.js';
import { loadFeatureSpec } from '../src/schema/feature-spec.js';
import { loadDataset } from '../src/search/data/dataset.js';
import { runSearch } from '../src/search/search/run-search.js';
import type { SearchOptions } from '../src/search/search/config.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 270); // ~750 candidates each: ~200k rows
const BUDGET_US = Number(process.env.BENCH_BUDGET_US ?? 800);
const THREADS = Number(process.env.BENCH_THREADS ?? 1);
const TIME_TARGET_S = 180;
const MEMORY_TARGET = 2 * 2 ** 30;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'autofas-search-bench-'));
  try {
    const world = await generateFixtures({ requests: REQUESTS, out: dir, seed: 11 });
    const spec = await loadFeatureSpec(world.specPath);
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const t0 = performance.now();
    const { dataset } = await loadDataset([world.logPath], spec, { itemIds: false });
    const loaded = performance.now();
    const phases: Record<string, number> = {};
    let last = loaded;
    const mark = (name: string): void => {
      const now = performance.now();
      phases[name] = (phases[name] ?? 0) + (now - last) / 1000;
      last = now;
    };
    let phase = 'search';
    const label: Record<string, string> = { search: 'search + derive/refine', retrain: 'retrain' };
    const options: SearchOptions = {
      budgetUs: BUDGET_US,
      threads: THREADS,
      onStep: (s) => {
        if (s.phase !== phase) (mark(label[phase]), (phase = s.phase));
      },
    };
    const result = await runSearch(dataset, options, { out: join(dir, 'model') });
    mark('retrain + export + measure');
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const total = (performance.now() - loaded) / 1000;
    const d = result.derived;
    console.log(`world: ${dataset.requests} requests, ${dataset.rows} candidate rows, ${spec.features.length} features; load ${((loaded - t0) / 1000).toFixed(1)} s`);
    console.log(`options: budget ${BUDGET_US} us, epochs ${result.config.epochs} + retrain ${result.config.retrainEpochs}, threads ${THREADS}`);
    for (const [name, s] of Object.entries(phases)) console.log(`  ${name.padEnd(28)} ${s.toFixed(1)} s`);
    console.log(`search + retrain: ${total.toFixed(1)} s (target <= ${TIME_TARGET_S} s); peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (target <= 2048 MiB)`);
    console.log(`derived: ${d.architecture.features.length} features [${d.architecture.features.join(', ')}], layers ${d.architecture.layers.join('-')}`);
    console.log(`latency per 1000 candidates: table ${d.totalUs.toFixed(0)} us, measured ${result.card.latency.measuredUs?.toFixed(0)} us`);
    console.log(`test: ${Object.entries(result.card.metrics.test).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`);
    if (total > TIME_TARGET_S || peakRss > MEMORY_TARGET) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
