// `autofas profile`: measures dense-layer latency (the latency table) or, with --store, feature fetch costs on Redis (costs.json).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { profileLatency } from '../search/latency/profile.js';
import { int, intList } from './option-parsers.js';
import { loadFeatureSpec } from '../schema/feature-spec.js';
import { optionError } from '../schema/errors.js';
import { DEFAULT_KEY_PREFIX } from '../serve/redis-layout.js';
import { openCliRedis } from './store-command.js';
import { profileStore } from './store-profile.js';

interface ProfileFlags {
  out: string;
  candidates: number;
  threads: number;
  repeats: number;
  dIn?: number[];
  dOut?: number[];
  store?: string;
  features?: string;
  requests: number;
  prefix: string;
}

function progressBar(unit: string): { update(done: number, total: number): void; stop(): void } {
  const bar = new SingleBar({ format: `profile [{bar}] {value}/{total} ${unit}`, hideCursor: true }, Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop: () => bar.stop(),
  };
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(value, null, 1)}\n`);
}

/** `--store`: batched fetch time of every store feature on a live Redis, written as costs.json for `search --costs`. */
async function runStoreProfile(opts: ProfileFlags & { store: string }): Promise<void> {
  if (!opts.features) throw optionError('--features', 'is required with --store', opts.features);
  const spec = await loadFeatureSpec(opts.features);
  const client = await openCliRedis(opts.store);
  const bar = progressBar('requests');
  try {
    const costs = await profileStore(client, spec, { url: opts.store, prefix: opts.prefix, candidates: opts.candidates, requests: opts.requests, onProgress: bar.update });
    bar.stop();
    await writeJson(opts.out, costs);
    const rows = Object.entries(costs.features).map(([name, c]) => `  ${name} (${c.side}, ${c.data}, ${c.bytes} B): p50 ${c.p50Us} us, p99 ${c.p99Us} us`);
    process.stdout.write(`wrote ${opts.out}: ${rows.length} store features, ${opts.candidates} candidates, ping p50 ${costs.pingUs.p50} us\n${rows.join('\n')}\n`);
  } finally {
    bar.stop();
    await client.quit().catch(() => client.disconnect());
  }
}

/** Registers `autofas profile` on the CLI program. */
export function registerProfileCommand(program: Command): void {
  program
    .command('profile')
    .description('measure dense-layer latency (d_in x d_out at the serving batch) with onnxruntime-node and write a latency table; with --store, measure store feature fetch costs instead')
    .option('--out <file>', 'where to write the latency table JSON', 'latency.json')
    .option('--candidates <n>', 'serving batch size', int('--candidates'), 1000)
    .option('--threads <n>', 'ORT intra-op threads (as the serving pool uses)', int('--threads'), 1)
    .option('--repeats <n>', 'timed runs per shape', int('--repeats'), 40)
    .option('--d-in <list>', 'input widths, comma separated', intList('--d-in'))
    .option('--d-out <list>', 'output widths, comma separated', intList('--d-out'))
    .option('--store <url>', 'instead: measure each store feature\'s batched fetch on this Redis and write costs.json')
    .option('--features <file>', 'with --store: the feature spec')
    .option('--requests <n>', 'with --store: timed requests per feature', int('--requests'), 50)
    .option('--prefix <prefix>', 'with --store: key prefix', DEFAULT_KEY_PREFIX)
    .action(async (opts: ProfileFlags) => {
      if (opts.store) return runStoreProfile({ ...opts, store: opts.store });
      const bar = progressBar('shapes');
      const table = await profileLatency({
        candidates: opts.candidates,
        threads: opts.threads,
        repeats: opts.repeats,
        dIns: opts.dIn,
        dOuts: opts.dOut,
        onProgress: bar.update,
      });
      bar.stop();
      await writeJson(opts.out, table);
      process.stdout.write(`wrote ${opts.out}: ${table.entries.length} shapes, run overhead ${table.runOverheadUs} us\n`);
    });
}
