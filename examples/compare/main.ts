// Searches a pre-ranker on teacher logs, trains the baselines on the same split, and prints the comparison table.
// Usage: node dist/examples/compare/main.js --logs LOGS... --features features.json --out DIR [--budget-us N]
//        [--sweep N,N,...] [--epochs N] [--baseline-epochs N] [--seed N] [--k N] [--top N] [--teacher DIR]
//        [--baselines vector,dnn-all,cold,fscd]
import { parseArgs } from 'node:util';
import { runComparison } from './run-comparison.js';

const { values } = parseArgs({
  options: {
    logs: { type: 'string', multiple: true },
    features: { type: 'string' },
    out: { type: 'string', default: 'out/compare' },
    'budget-us': { type: 'string' },
    sweep: { type: 'string' },
    epochs: { type: 'string' },
    'baseline-epochs': { type: 'string' },
    seed: { type: 'string', default: '1' },
    k: { type: 'string', default: '100' },
    top: { type: 'string', default: '10' },
    teacher: { type: 'string' },
    baselines: { type: 'string', default: 'vector,dnn-all' },
  },
});
if (!values.logs?.length || !values.features) {
  process.stderr.write('usage: compare --logs LOGS... --features features.json --out DIR [--budget-us N] [--sweep N,N]\n');
  process.exit(2);
}
const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
const result = await runComparison({
  logs: values.logs,
  features: values.features,
  out: values.out as string,
  budgetUs: num(values['budget-us']),
  sweep: values.sweep?.split(',').map(Number),
  epochs: num(values.epochs),
  baselineEpochs: num(values['baseline-epochs']),
  baselines: (values.baselines as string).split(','),
  seed: Number(values.seed),
  k: Number(values.k),
  top: Number(values.top),
  extraModels: values.teacher ? [{ dir: values.teacher, name: 'teacher' }] : [],
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(result.table);
process.stdout.write(`report: ${result.reportPath}\n`);
