// Reads the teacher logs of a command (`--logs`, `--skip-bad-lines`, `--strict`) and tells the user what the load kept.
import type { Command } from 'commander';
import type { FeatureSpec } from '../schema/feature-spec.js';
import { describeLoad, loadDataset, loadWarnings, type Dataset } from '../search/data/dataset.js';

/** The flags every log-reading command shares. */
export interface LogFlags {
  logs: string[];
  skipBadLines?: boolean;
  strict?: boolean;
  quiet?: boolean;
}

/** Adds `--skip-bad-lines` and `--strict` to a command that reads teacher logs. */
export function logOptions(command: Command): Command {
  return command
    .option('--skip-bad-lines', 'skip and count malformed log lines instead of stopping')
    .option('--strict', 'stop at the first logged feature the feature spec does not name (default: ignore such features and name them)');
}

/**
 * Loads the logs without item ids. On stderr: one summary line (unless --quiet), and always one line for skipped lines
 * and one naming the logged features the spec does not name.
 */
export async function loadLogs(flags: LogFlags, spec: FeatureSpec): Promise<Dataset> {
  const { dataset, report } = await loadDataset(flags.logs, spec, { skipBadLines: flags.skipBadLines ?? false, strict: flags.strict ?? false, itemIds: false });
  if (!flags.quiet) process.stderr.write(`autofas: ${describeLoad(report)}\n`);
  for (const line of loadWarnings(report)) process.stderr.write(`autofas: warning: ${line}\n`);
  return dataset;
}
