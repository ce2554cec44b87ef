// `autofas search`: feature and architecture search from teacher logs, then retrain and export the searched model.
import { Presets, SingleBar } from 'cli-progress';
import { Option } from 'commander';
import type { Command } from 'commander';
import { optionError } from '../schema/errors.js';
import { loadSpecWithCosts } from '../schema/feature-costs.js';
import { provenanceOf } from '../search/baselines/provenance.js';
import type { SearchOptions, StepStatus } from '../search/search/config.js';
import type { EpochRecord } from '../search/search/history.js';
import { loadLatencyTable } from '../search/latency/latency-table.js';
import { runSearch } from '../search/search/run-search.js';
import { sweepSearchOf } from '../search/search/sweep.js';
import { formatMetric } from '../search/evaluate/table.js';
import { logOptions, loadLogs, type LogFlags } from './load-logs.js';
import { int, intList, positive } from './option-parsers.js';
import { writeReport } from './search-report.js';

const DISTILL_MODES = ['pointwise', 'listwise'] as const satisfies readonly NonNullable<SearchOptions['distill']>[];

interface SearchFlags extends LogFlags {
  features: string;
  out: string;
  budgetUs?: number;
  lambda2?: number;
  latencyTable?: string;
  costs?: string;
  seed: number;
  threads: number;
  epochs?: number;
  retrainEpochs?: number;
  /** false with --no-neighbours (commander sets true otherwise; the default lives in SearchOptions). */
  neighbours: boolean;
  widths?: number[];
  mixops?: number;
  distill?: string;
  lambda1?: number;
  sparsity?: number;
  compare?: string[];
  sweep?: number[];
  report: boolean;
}

/** Progress: one bar per epoch (steps, loss, expected latency, kept features) and one line per finished epoch. */
function progress(quiet: boolean): { onStep: (s: StepStatus) => void; onEpoch: (r: EpochRecord) => void; stop: () => void } {
  if (quiet) return { onStep: () => undefined, onEpoch: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    { format: '{phase} epoch {epoch} [{bar}] {value}/{total} | loss {loss} | E[lat] {lat} µs | features {features}', hideCursor: true },
    Presets.shades_classic,
  );
  let key = '';
  return {
    onStep(s) {
      const now = `${s.phase}:${s.epoch}`;
      const payload = { phase: s.phase, epoch: `${s.epoch}/${s.epochs}`, loss: s.loss.toFixed(4), lat: s.expectedUs?.toFixed(0) ?? '-', features: s.features ?? '-' };
      if (now !== key) {
        if (key) bar.stop();
        bar.start(s.steps, 0, payload);
        key = now;
      }
      bar.update(s.step, payload);
    },
    onEpoch(r) {
      bar.stop();
      key = '';
      const lat = r.expectedLatency;
      process.stdout.write(
        `  epoch ${r.epoch}: loss ${r.losses.total.toFixed(4)} (task ${r.losses.task.toFixed(4)}, distill ${r.losses.distill.toFixed(4)}), ` +
          `lambda2 ${r.lambda2.toPrecision(3)}, E[lat] ${lat.totalUs.toFixed(0)} µs, valid recall ${r.validRecall?.toFixed(4) ?? '-'}\n` +
          `    features (${r.features.length}): ${r.features.join(', ')}\n`,
      );
    },
    stop: () => bar.stop(),
  };
}

async function runSearchCommand(flags: SearchFlags): Promise<void> {
  if (flags.budgetUs !== undefined && flags.lambda2 !== undefined) throw optionError('--lambda2', 'cannot be combined with --budget-us', flags.lambda2);
  const { spec, featureCosts } = await loadSpecWithCosts(flags.features, flags.costs);
  const dataset = await loadLogs(flags, spec);
  const bars = progress(flags.quiet ?? false);
  const options: SearchOptions = {
    budgetUs: flags.budgetUs,
    lambda2: flags.lambda2,
    seed: flags.seed,
    threads: flags.threads,
    epochs: flags.epochs,
    retrainEpochs: flags.retrainEpochs,
    neighbours: flags.neighbours ? undefined : false,
    widths: flags.widths,
    mixops: flags.mixops,
    distill: flags.distill as SearchOptions['distill'],
    lambda1: flags.lambda1,
    sparsity: flags.sparsity,
    latencyTable: flags.latencyTable ? await loadLatencyTable(flags.latencyTable) : undefined,
    onStep: bars.onStep,
    onEpoch: bars.onEpoch,
  };
  const command = `autofas search ${process.argv.slice(3).join(' ')}`.trim();
  const provenance = { ...(await provenanceOf(flags.logs, flags.features, command)), featureCosts };
  const result = await runSearch(dataset, stripUndefined(options), { out: flags.out, provenance });
  bars.stop();
  if (flags.report) {
    const sweep = async (budgetUs: number, out: string) => {
      if (!flags.quiet) process.stdout.write(`sweep: budget ${budgetUs} µs -> ${out}\n`);
      return sweepSearchOf(await runSearch(dataset, stripUndefined({ ...options, lambda2: undefined, budgetUs, onStep: undefined, onEpoch: undefined }), { out, provenance }));
    };
    const path = await writeReport(result, flags, sweep);
    if (!flags.quiet) process.stdout.write(`report: ${path}\n`);
  }
  const { card, derived } = result;
  warnOverBudget(flags.budgetUs, card.latency.measuredUs);
  const test = Object.entries(card.metrics.test ?? {}).map(([k, v]) => `${k} ${formatMetric(v)}`).join(', ');
  process.stdout.write(
    `wrote ${flags.out}: ${card.modelId}\n  features (${derived.architecture.features.length}): ${derived.architecture.features.join(', ')}\n` +
      `  layers: ${derived.architecture.layers.join('-')}\n  latency per ${card.latency.candidates} candidates: expected ${derived.totalUs.toFixed(0)} µs, ` +
      `measured ${card.latency.measuredUs?.toFixed(0)} µs${flags.budgetUs !== undefined ? ` (budget ${flags.budgetUs} µs)` : ''}\n  test: ${test}\n`,
  );
}

/** Warns when even the cheapest derivable model misses the budget (the model is still written). */
function warnOverBudget(budgetUs: number | undefined, measuredUs: number | undefined): void {
  if (budgetUs === undefined || measuredUs === undefined || measuredUs <= budgetUs) return;
  process.stderr.write(`autofas: warning: the cheapest derivable model measures ${measuredUs.toFixed(0)} µs, over the ${budgetUs} µs budget\n`);
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Registers `autofas search` on the CLI program. */
export function registerSearchCommand(program: Command): void {
  const command = program
    .command('search')
    .description('search features and architecture under a latency budget, retrain the derived model with distillation, export it')
    .requiredOption('--logs <files...>', 'teacher log files (.jsonl or .jsonl.gz)')
    .requiredOption('--features <file>', 'feature spec (features.json)')
    .requiredOption('--out <dir>', 'artifact directory to write (model.onnx, model.json, history.json)')
    .option('--budget-us <us>', 'latency budget per 1000 candidates, features + network (tunes lambda2)', positive('--budget-us'))
    .option('--lambda2 <x>', 'fixed latency weight per ms of expected latency (instead of a budget; default: 0.05)', positive('--lambda2', true))
    .option('--latency-table <file>', 'latency table from `autofas profile` (default: the shipped table)')
    .option('--costs <file>', 'measured feature costs from `autofas profile --store` (default: the spec\'s declared costUs)')
    .option('--seed <n>', 'seed of splits, initialisation, sampling and gates', int('--seed', 0), 1)
    .option('--threads <n>', 'ORT intra-op threads for training', int('--threads', 1), 1)
    .option('--epochs <n>', 'search epochs (default: 6)', int('--epochs', 1))
    .option('--retrain-epochs <n>', 'retrain epochs of the derived model (default: 6)', int('--retrain-epochs', 1))
    .option('--no-neighbours', 'under a budget, do not retrain the derived network\'s neighbours (wider, deeper, every feature that fits)')
    .option('--widths <list>', 'candidate widths of each Mixop (default: 256,128,64,32)', intList('--widths'))
    .option('--mixops <n>', 'number of Mixops (default: 3)', int('--mixops', 1))
    .addOption(new Option('--distill <mode>', 'distillation loss (default: listwise)').choices(DISTILL_MODES))
    .option('--lambda1 <x>', 'distillation weight in [0, 1] (default: 0.7)', positive('--lambda1', true))
    .option('--sparsity <x>', 'weight of the feature masks\' complexity prior per ms of fetch work; 0 disables (default: 0.5)', positive('--sparsity', true))
    .option('--quiet', 'no progress output')
    .option('--compare <dirs...>', 'baseline artifacts to place in the report\'s latency-recall plane (evaluated on the test split)')
    .option('--sweep <budgets>', 'also search these budgets (µs, comma separated) into OUT/sweep-<budget> and draw the Pareto front', intList('--sweep'))
    .option('--no-report', 'do not write report.html')
    .action(runSearchCommand);
  logOptions(command);
}
