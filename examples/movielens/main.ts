// MovieLens 100K example: build teacher logs from ../shared/data/movielens-100k, search a pre-ranker, train the
// baselines on the same split, print the comparison. Skips cleanly when the data is absent.
// Usage: node dist/examples/movielens/main.js [--data DIR] [--out DIR] [--candidates N] [--users N] [--k N] [--top N]
//        [--budget-us N | --sweep N,N,...] [--epochs N] [--teacher-epochs N] [--baseline-epochs N] [--seed N] [--reuse-world]
//        [--baselines vector,dnn-all,cold,fscd]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runComparison } from '../compare/run-comparison.js';
import { buildMovieLensWorld } from './build-world.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/movielens-100k' },
    out: { type: 'string', default: 'out/movielens' },
    candidates: { type: 'string', default: '500' },
    'max-future': { type: 'string', default: '100' },
    users: { type: 'string', default: '943' },
    k: { type: 'string', default: '50' },
    top: { type: 'string', default: '10' },
    'budget-us': { type: 'string' },
    sweep: { type: 'string' },
    'teacher-epochs': { type: 'string', default: '6' },
    'baseline-epochs': { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'reuse-world': { type: 'boolean', default: false },
    baselines: { type: 'string', default: 'vector,dnn-all' },
  },
});

const log = (line: string) => process.stderr.write(`${line}\n`);
const data = values.data as string;
if (!existsSync(join(data, 'ml-100k.inter'))) {
  process.stdout.write(`skipping the MovieLens example: ${data}/ml-100k.inter not found (see docs/evaluation.md)\n`);
  process.exit(0);
}
const out = values.out as string;
const seed = Number(values.seed);
const worldDir = join(out, 'world');
const reuse = values['reuse-world'] && existsSync(join(worldDir, 'logs.jsonl.gz')) && existsSync(join(worldDir, 'teacher', 'model.json'));
const world = reuse
  ? { logs: join(worldDir, 'logs.jsonl.gz'), features: join(worldDir, 'features.json'), teacher: join(worldDir, 'teacher') }
  : await buildMovieLensWorld(data, worldDir, {
  candidates: Number(values.candidates),
  maxFuture: Number(values['max-future']),
  users: Number(values.users),
  teacherEpochs: Number(values['teacher-epochs']),
  seed,
}, log);
const result = await runComparison({
  logs: [world.logs],
  features: world.features,
  out,
  budgetUs: values['budget-us'] === undefined ? undefined : Number(values['budget-us']),
  sweep: values.sweep?.split(',').map(Number),
  baselineEpochs: values['baseline-epochs'] === undefined ? undefined : Number(values['baseline-epochs']),
  epochs: values.epochs === undefined ? undefined : Number(values.epochs),
  baselines: (values.baselines as string).split(','),
  k: Number(values.k),
  top: Number(values.top),
  seed,
  extraModels: [{ dir: world.teacher, name: 'teacher' }],
  log,
});
process.stdout.write(result.table);
process.stdout.write(`report: ${result.reportPath}\n`);
