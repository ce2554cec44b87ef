// `autofas train`: trains a baseline pre-ranker (vector two-tower or dnn-all MLP) from teacher logs and exports it.
import { Presets, SingleBar } from 'cli-progress';
import { Option } from 'commander';
import type { Command } from 'commander';
import { loadFeatureSpec } from '../schema/feature-spec.js';
import { logOptions, loadLogs, type LogFlags } from './load-logs.js';
import { int, intList, positive, share } from './option-parsers.js';
import { BASELINE_KINDS, provenanceOf, trainBaselineOfKind, trainFscd, writeBaseline, type BaselineKind } from '../search/baselines/index.js';
import type { DistillMode, StepStatus } from '../search/search/config.js';
import type { ModelCard } from '../schema/model-card.js';
import { heldOutFractions, splitByRequest } from '../search/data/dataset.js';

interface TrainFlags extends LogFlags {
  kind: string;
  features: string;
  out: string;
  epochs?: number;
  seed: number;
  threads: number;
  layers?: number[];
  learningRate?: number;
  distill?: string;
  validation: number;
  test: number;
  budgetUs?: number;
}

const KINDS = [...BASELINE_KINDS, 'fscd'] as const;
const DISTILL_MODES = ['pointwise', 'listwise'] as const satisfies readonly DistillMode[];

function summary(out: string, card: ModelCard, recall?: number): string {
  const tail = recall === undefined ? '' : `, validation Recall@100 ${recall.toFixed(4)}`;
  return `wrote ${out}: ${card.modelId}, ${card.inputs.length} features, ${card.latency.measuredUs?.toFixed(0) ?? '?'} µs per 1000 candidates${tail}\n`;
}

function progressBar(flags: TrainFlags): { bar: SingleBar | null; onStep: (s: StepStatus) => void } {
  const bar = flags.quiet ? null : new SingleBar({ format: `train ${flags.kind} [{bar}] epoch {epoch}/{epochs} step {value}/{total} | loss {loss}`, hideCursor: true }, Presets.shades_classic);
  const onStep = (s: StepStatus): void => {
    if (!bar) return;
    if (!bar.isActive || s.step === 1) bar.start(s.steps, 0, { loss: '-', epoch: s.epoch, epochs: s.epochs });
    bar.update(s.step, { loss: s.loss.toFixed(4), epoch: s.epoch, epochs: s.epochs });
  };
  return { bar, onStep };
}

async function runTrain(flags: TrainFlags): Promise<void> {
  const spec = await loadFeatureSpec(flags.features);
  const dataset = await loadLogs(flags, spec);
  if (flags.kind === 'fscd') {
    const budget = flags.budgetUs === undefined ? {} : { budgetUs: flags.budgetUs };
    const card = await trainFscd(dataset, flags.out, { seed: flags.seed, threads: flags.threads, validFraction: flags.validation, testFraction: flags.test, ...budget });
    process.stdout.write(summary(flags.out, card));
    return;
  }
  // The same split expression and seed as `autofas search`: the held-out test requests are never trained on, so
  // `autofas evaluate` can compare a baseline and a searched model on requests neither has seen.
  const split = splitByRequest(dataset, heldOutFractions(flags.validation, flags.test), flags.seed);
  const { bar, onStep } = progressBar(flags);
  const trained = await trainBaselineOfKind(split.train, {
    kind: flags.kind as BaselineKind,
    epochs: flags.epochs,
    seed: flags.seed,
    threads: flags.threads,
    layers: flags.layers,
    learningRate: flags.learningRate,
    distill: flags.distill as DistillMode | undefined,
    validation: split.validation.requests > 0 ? split.validation : undefined,
    onStep,
  });
  bar?.stop();
  const command = `autofas train ${process.argv.slice(3).join(' ')}`.trim();
  const card = await writeBaseline(flags.out, trained, await provenanceOf(flags.logs, flags.features, command), split.train);
  process.stdout.write(summary(flags.out, card, trained.validRecall));
}

/** Registers `autofas train` on the CLI program. */
export function registerTrainCommand(program: Command): void {
  const command = program
    .command('train')
    .description('train a baseline pre-ranker (vector two-tower, dnn-all MLP, cold, fscd) from teacher logs by distillation and export it')
    .addOption(new Option('--kind <kind>', 'baseline kind').choices(KINDS).makeOptionMandatory())
    .requiredOption('--logs <files...>', 'teacher log files (.jsonl or .jsonl.gz)')
    .requiredOption('--features <file>', 'feature spec (features.json)')
    .requiredOption('--out <dir>', 'artifact directory to write (model.onnx + model.json)')
    .option('--epochs <n>', 'training epochs, as the search\'s retrain (default: 6)', int('--epochs', 1))
    .option('--seed <n>', 'seed of the split, initialisation and sampling', int('--seed', 0), 1)
    .option('--threads <n>', 'ORT intra-op threads', int('--threads', 1), 1)
    .option('--layers <list>', 'dnn-all hidden widths (default: 512,256,128)', intList('--layers'))
    .option('--learning-rate <rate>', 'Adam learning rate, as the search (default: 0.003)', positive('--learning-rate'))
    .addOption(new Option('--distill <mode>', 'distillation loss, as the search (default: listwise)').choices(DISTILL_MODES))
    .option('--validation <share>', 'share of requests held out for the per-epoch validation recall (as autofas search)', share('--validation'), 0.1)
    .option('--test <share>', 'share of requests held out and never trained on (as autofas search, same --seed)', share('--test'), 0.1)
    .option('--budget-us <us>', 'fscd: latency budget per 1000 candidates (default: the searcher\'s lambda2)', int('--budget-us', 1))
    .option('--quiet', 'no progress bar')
    .action(runTrain);
  logOptions(command);
}
