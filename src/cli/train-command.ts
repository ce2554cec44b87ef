// `autofas train`: trains a baseline pre-ranker (vector two-tower or dnn-all MLP) from teacher logs and exports it.
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadFeatureSpec } from '../schema/feature-spec.js';
import { optionError } from '../schema/errors.js';
import { BASELINE_KINDS, provenanceOf, trainBaselineOfKind, writeBaseline, type BaselineKind, type DistillMode } from '../search/baselines/index.js';
import { loadDataset, splitByRequest } from '../search/dataset.js';

interface TrainFlags {
  kind: string;
  logs: string[];
  features: string;
  out: string;
  steps?: number;
  seed: number;
  threads: number;
  layers?: number[];
  lr?: number;
  distill?: string;
  validation: number;
  skipBadLines?: boolean;
  quiet?: boolean;
}

function int(flag: string, min: number) {
  return (text: string): number => {
    const v = Number(text);
    if (!Number.isInteger(v) || v < min) throw optionError(flag, `must be an integer >= ${min}`, text);
    return v;
  };
}

function share(text: string): number {
  const v = Number(text);
  if (!(v >= 0 && v < 1)) throw optionError('--validation', 'must be a number in [0, 1)', text);
  return v;
}

function widths(text: string): number[] {
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isInteger(v) || v < 1)) throw optionError('--layers', 'must be a comma-separated list of positive integers', text);
  return values;
}

async function runTrain(flags: TrainFlags): Promise<void> {
  if (!BASELINE_KINDS.includes(flags.kind as BaselineKind)) throw optionError('--kind', `must be one of ${BASELINE_KINDS.join(', ')}`, flags.kind);
  const spec = await loadFeatureSpec(flags.features);
  const { dataset } = await loadDataset(flags.logs, spec, { skipBadLines: flags.skipBadLines ?? false, itemIds: false });
  const split = splitByRequest(dataset, { train: 1 - flags.validation, validation: flags.validation, test: 0 }, flags.seed);
  const bar = flags.quiet ? null : new SingleBar({ format: `train ${flags.kind} [{bar}] {value}/{total} steps | loss {loss} | valid recall {recall}`, hideCursor: true }, Presets.shades_classic);
  const trained = await trainBaselineOfKind(split.train, {
    kind: flags.kind as BaselineKind,
    steps: flags.steps,
    seed: flags.seed,
    threads: flags.threads,
    layers: flags.layers,
    lr: flags.lr,
    distill: flags.distill as DistillMode | undefined,
    validation: split.validation.requests > 0 ? split.validation : undefined,
    onProgress: (p) => {
      if (!bar) return;
      if (p.step <= p.steps && !bar.isActive) bar.start(p.steps, 0, { loss: '-', recall: '-' });
      bar.update(p.step, { loss: p.loss.toFixed(4), recall: p.validRecall === undefined ? '-' : p.validRecall.toFixed(4) });
    },
  });
  bar?.stop();
  const command = `autofas train ${process.argv.slice(3).join(' ')}`.trim();
  const card = await writeBaseline(flags.out, trained, await provenanceOf(flags.logs, flags.features, command), split.train);
  const recall = trained.validRecall === undefined ? '' : `, validation Recall@100 ${trained.validRecall.toFixed(4)}`;
  process.stdout.write(`wrote ${flags.out}: ${card.modelId}, ${card.inputs.length} features, ${card.latency.measuredUs?.toFixed(0) ?? '?'} µs per 1000 candidates${recall}\n`);
}

/** Registers `autofas train` on the CLI program. */
export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a baseline pre-ranker (vector two-tower or dnn-all MLP) from teacher logs by distillation and export it')
    .requiredOption('--kind <kind>', `baseline kind: ${BASELINE_KINDS.join(' | ')}`)
    .requiredOption('--logs <files...>', 'teacher log files (.jsonl or .jsonl.gz)')
    .requiredOption('--features <file>', 'feature spec (features.json)')
    .requiredOption('--out <dir>', 'artifact directory to write (model.onnx + model.json)')
    .option('--steps <n>', 'optimiser steps (default 1500)', int('--steps', 1))
    .option('--seed <n>', 'seed of the split, initialisation and sampling', int('--seed', 0), 1)
    .option('--threads <n>', 'ORT intra-op threads', int('--threads', 1), 1)
    .option('--layers <list>', 'dnn-all hidden widths (default 512,256,128)', widths)
    .option('--lr <rate>', 'Adam learning rate (default 0.002)', Number)
    .option('--distill <mode>', 'pointwise | listwise | both (default both)')
    .option('--validation <share>', 'share of requests held out to keep the best checkpoint', share, 0.1)
    .option('--skip-bad-lines', 'skip and count malformed log lines instead of stopping')
    .option('--quiet', 'no progress bar')
    .action(runTrain);
}
