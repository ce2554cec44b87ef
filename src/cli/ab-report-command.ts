// `autofas ab-report`: the A/B verdict from the gateway's teacher logs (per-arm Recall@K, bootstrap CIs over users, the difference).
import type { Command } from 'commander';
import { int } from './option-parsers.js';
import { abReport } from '../search/evaluate/ab-report.js';
import { formatAbReport, writeAbReportHtml } from '../search/report/ab-page.js';

interface AbReportFlags {
  logs: string[];
  top: number;
  bootstrap: number;
  seed: number;
  html?: string;
  json?: boolean;
}

async function runAbReport(flags: AbReportFlags): Promise<void> {
  const report = await abReport(flags.logs, { top: flags.top, bootstrap: flags.bootstrap, seed: flags.seed });
  if (flags.html) await writeAbReportHtml(report, flags.html);
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...report, difference: strip(report.difference), paired: strip(report.paired) }, null, 2)}\n`);
  else process.stdout.write(formatAbReport(report) + (flags.html ? `wrote ${flags.html}\n` : ''));
}

/** The JSON output leaves the bootstrap replicates out. */
function strip<T extends { replicates: readonly number[] }>(d: T | null): Omit<T, 'replicates'> | null {
  if (!d) return null;
  const { replicates: _replicates, ...rest } = d;
  return rest;
}

/** Registers `autofas ab-report` on the CLI program. */
export function registerAbReportCommand(program: Command): void {
  program
    .command('ab-report')
    .description("A/B verdict from teacher logs: per arm Recall@K of what it kept vs the ranking hop's top, bootstrap CIs over users, the difference")
    .requiredOption('--logs <paths...>', 'teacher-log directories or files (.jsonl, .jsonl.gz; .part files are skipped)')
    .option('--top <n>', "the ranking hop's top set size that Recall@K looks for", int('--top'), 10)
    .option('--bootstrap <n>', 'bootstrap replicates', int('--bootstrap'), 1000)
    .option('--seed <n>', 'bootstrap seed', int('--seed', 0), 1)
    .option('--html <file>', 'also write a self-contained HTML page with plots')
    .option('--json', 'print the report as JSON')
    .action(runAbReport);
}
