// `autofas evaluate`: every model on the same test requests, quality and cost side by side (table or --json).
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { loadFeatureSpec } from '../schema/feature-spec.js';
import { optionError } from '../schema/errors.js';
import { logOptions, loadLogs, type LogFlags } from './load-logs.js';
import { int } from './option-parsers.js';
import { heldOutFractions, splitByRequest, type Dataset } from '../search/data/dataset.js';
import { evaluateModels } from '../search/evaluate/evaluate.js';
import { formatEvaluationTable } from '../search/evaluate/table.js';

interface EvaluateFlags extends LogFlags {
  model: string[];
  features?: string;
  k: number;
  top: number;
  threads: number;
  json?: boolean;
  splitSeed?: number;
}

/** The requests to evaluate: all of them, or the test split `autofas search` / `autofas train` hold out. */
function evaluationRequests(dataset: Dataset, splitSeed: number | undefined): Dataset {
  if (splitSeed === undefined) return dataset;
  return splitByRequest(dataset, heldOutFractions(0.1, 0.1), splitSeed).test;
}

async function runEvaluate(flags: EvaluateFlags): Promise<void> {
  const spec = await logSpec(flags);
  const dataset = await loadLogs(flags, spec);
  const report = await evaluateModels(evaluationRequests(dataset, flags.splitSeed), flags.model, { k: flags.k, top: flags.top, threads: flags.threads });
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatEvaluationTable(report));
}

/** The spec the logs were written with: --features, else features.json beside the first log file. */
async function logSpec(flags: EvaluateFlags) {
  const path = flags.features ?? join(dirname(flags.logs[0]), 'features.json');
  try {
    return await loadFeatureSpec(path);
  } catch (err) {
    if (flags.features) throw err;
    throw optionError('--features', 'is needed when no features.json lies beside the logs', undefined);
  }
}

/** Registers `autofas evaluate` on the CLI program. */
export function registerEvaluateCommand(program: Command): void {
  const command = program
    .command('evaluate')
    .description('compare pre-rankers on the same teacher logs: Recall@K, NDCG@K, AUC, measured latency, FLOPs, feature cost')
    .requiredOption('--logs <files...>', 'test teacher logs (.jsonl or .jsonl.gz)')
    .requiredOption('--model <dirs...>', 'model artifact directories (repeat --model or list several)')
    .option('--features <file>', 'feature spec of the logs (default: features.json beside the first log file)')
    .option('--k <n>', 'the model\'s kept set size for Recall@K and NDCG@K', int('--k'), 100)
    .option('--top <n>', 'the teacher\'s top set size that Recall@K looks for', int('--top'), 10)
    .option('--threads <n>', 'ORT intra-op threads', int('--threads'), 1)
    .option('--split-seed <n>', 'evaluate only the test requests that autofas search / train hold out with this --seed (default: shares 0.1/0.1)', int('--split-seed', 0))
    .option('--json', 'print the report as JSON')
    .action(runEvaluate);
  logOptions(command);
}
