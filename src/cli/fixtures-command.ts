// `autofas fixtures`: generates the seeded fixture world (spec, teacher artifact, teacher logs) into a directory.
import type { Command } from 'commander';
import { int } from './option-parsers.js';
import { generateFixtures } from '../fixtures/generate.js';
import type { WorldKind } from '../fixtures/world-spec.js';

interface FixturesFlags {
  readonly requests: number;
  readonly seed: number;
  readonly out: string;
  readonly minCandidates: number;
  readonly maxCandidates: number;
  readonly world: WorldKind;
  readonly quiet?: boolean;
}

/** Registers `autofas fixtures` on the CLI program. */
export function registerFixturesCommand(program: Command): void {
  program
    .command('fixtures')
    .description('generate the seeded fixture world: features.json, teacher/ (ONNX ranking model), logs.jsonl.gz')
    .option('--requests <n>', 'logged requests', int('--requests', 1), 48)
    .option('--seed <s>', 'world and sampling seed', int('--seed', 0), 7)
    .option('--out <dir>', 'output directory', 'fixtures/world')
    .option('--min-candidates <n>', 'fewest candidates per request', int('--min-candidates', 1), 500)
    .option('--max-candidates <n>', 'most candidates per request', int('--max-candidates', 1), 1000)
    .option('--world <kind>', "default, or cross: adds a costly cross feature the teacher leans on and a cheap noisy proxy of it", 'default')
    .option('--quiet', 'no progress output')
    .action(async (flags: FixturesFlags) => {
      const started = Date.now();
      const everyPercent = Math.max(1, Math.floor(flags.requests / 20));
      const summary = await generateFixtures({
        requests: flags.requests,
        seed: flags.seed,
        out: flags.out,
        minCandidates: flags.minCandidates,
        maxCandidates: flags.maxCandidates,
        world: { kind: flags.world },
        onProgress: (done, total) => {
          if (!flags.quiet && (done % everyPercent === 0 || done === total)) process.stderr.write(`fixtures: ${done}/${total} requests\r`);
        },
      });
      if (!flags.quiet) process.stderr.write('\n');
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `wrote ${summary.out}: ${summary.requests} requests, ${summary.rows} candidates, ${summary.clicks} clicks ` +
          `(features.json, teacher/, logs.jsonl.gz) in ${seconds} s\n`,
      );
    });
}
