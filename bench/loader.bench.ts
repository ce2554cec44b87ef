// Dataset loader benchmark: memory of 2M candidate rows x 40 numeric features vs raw float32, and load throughput.
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseFeatureSpec } from '../src/schema/feature-spec.js';
import { datasetBytes, loadDataset } from '../src/search/data/dataset.js';
import { createRng } from '../src/util/random.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 2_000_000);
const FEATURES = 40;
const PER_REQUEST = 1000;
const CATALOGUE = 100_000;
const names = Array.from({ length: FEATURES }, (_, i) => `f${String(i).padStart(2, '0')}`);
const spec = parseFeatureSpec({
  version: 1,
  features: names.map((name) => ({ name, side: 'item', type: 'numeric', source: 'store' })),
});

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Writes ROWS candidates as teacher-log lines (4-significant-digit values, as the fixtures log them). */
async function writeLog(path: string): Promise<void> {
  const rng = createRng(42);
  const out = createWriteStream(path);
  for (let q = 0; q * PER_REQUEST < ROWS; q++) {
    const n = Math.min(PER_REQUEST, ROWS - q * PER_REQUEST);
    const candidates: string[] = [];
    for (let j = 0; j < n; j++) {
      const features = names.map((name) => `"${name}":${Number(rng.normal().toPrecision(4))}`).join(',');
      candidates.push(`{"item_id":"item-${rng.int(CATALOGUE)}","features":{${features}},"teacher_score":${Number(rng.normal().toPrecision(6))},"label":${rng.int(2)}}`);
    }
    if (!out.write(`{"request_id":"r${q}","context":{},"candidates":[${candidates.join(',')}]}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'autofas-loader-bench-'));
  const path = join(dir, 'logs.jsonl');
  try {
    await writeLog(path);
    const fileBytes = statSync(path).size;
    gc();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakBuffers = before.arrayBuffers;
    const t0 = performance.now();
    const { dataset } = await loadDataset([path], spec, {
      progressEvery: 50,
      onProgress: () => {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const settled = process.memoryUsage(); // right after compaction, before any forced GC
    peakRss = Math.max(peakRss, settled.rss);
    gc();
    const after = process.memoryUsage();
    const raw = dataset.rows * FEATURES * 4;
    const typed = datasetBytes(dataset);
    console.log(`rows ${dataset.rows} x ${FEATURES} numeric features, ${dataset.requests} requests, file ${mb(fileBytes)}`);
    console.log(`raw float32 feature size          ${mb(raw)}`);
    console.log(`dataset typed arrays (all)        ${mb(typed)}  = ${(typed / raw).toFixed(3)}x raw  (features + teacher + labels + item index + offsets)`);
    console.log(`retained after load (heap+buffers) ${mb(after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers)}  = ${((after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / raw).toFixed(3)}x raw`);
    console.log(`RSS growth after load             ${mb(after.rss - before.rss)}  = ${((after.rss - before.rss) / raw).toFixed(3)}x raw`);
    console.log(`peak array buffers during load    ${mb(peakBuffers - before.arrayBuffers)}  = ${((peakBuffers - before.arrayBuffers) / raw).toFixed(3)}x raw`);
    console.log(`peak RSS growth during load       ${mb(peakRss - before.rss)}  = ${((peakRss - before.rss) / raw).toFixed(3)}x raw`);
    console.log(`load time ${seconds.toFixed(2)} s: ${Math.round(dataset.rows / seconds).toLocaleString('en-US')} rows/s, ${(fileBytes / 2 ** 20 / seconds).toFixed(0)} MiB/s of JSON`);
    if (typed / raw > 1.5) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
