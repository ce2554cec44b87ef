// `autofas profile`: measures dense-layer latency on this machine and writes the latency table the searcher uses.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { profileLatency } from '../search/latency/profile.js';
import { int, intList } from './option-parsers.js';

/** Registers `autofas profile` on the CLI program. */
export function registerProfileCommand(program: Command): void {
  program
    .command('profile')
    .description('measure dense-layer latency (d_in x d_out at the serving batch) with onnxruntime-node; write a latency table')
    .option('--out <file>', 'where to write the latency table JSON', 'latency.json')
    .option('--candidates <n>', 'serving batch size', int('--candidates'), 1000)
    .option('--threads <n>', 'ORT intra-op threads (as the serving pool uses)', int('--threads'), 1)
    .option('--repeats <n>', 'timed runs per shape', int('--repeats'), 40)
    .option('--d-in <list>', 'input widths, comma separated', intList('--d-in'))
    .option('--d-out <list>', 'output widths, comma separated', intList('--d-out'))
    .action(async (opts: { out: string; candidates: number; threads: number; repeats: number; dIn?: number[]; dOut?: number[] }) => {
      const bar = new SingleBar({ format: 'profile [{bar}] {value}/{total} shapes', hideCursor: true }, Presets.shades_classic);
      let started = false;
      const table = await profileLatency({
        candidates: opts.candidates,
        threads: opts.threads,
        repeats: opts.repeats,
        dIns: opts.dIn,
        dOuts: opts.dOut,
        onProgress: (done, total) => {
          if (!started) bar.start(total, 0);
          started = true;
          bar.update(done);
        },
      });
      bar.stop();
      await mkdir(dirname(opts.out), { recursive: true });
      await writeFile(opts.out, `${JSON.stringify(table, null, 1)}\n`);
      process.stdout.write(`wrote ${opts.out}: ${table.entries.length} shapes, run overhead ${table.runOverheadUs} us\n`);
    });
}
