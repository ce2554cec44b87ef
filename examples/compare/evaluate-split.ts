// Re-evaluates saved artifacts on the test split a search used (same seed and fractions), at several K.
// Usage: node dist/examples/compare/evaluate-split.js --logs LOGS --features F --model DIR... [--k 20,50,100] [--top 10]
//        [--seed 1] [--valid 0.1] [--test 0.1]
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { loadFeatureSpec } from '../../src/schema/feature-spec.js';
import { heldOutFractions, loadDataset, splitByRequest } from '../../src/search/data/dataset.js';
import { evaluateModels } from '../../src/search/evaluate/evaluate.js';
import { formatEvaluationTable } from '../../src/search/evaluate/table.js';

const { values } = parseArgs({
  options: {
    logs: { type: 'string', multiple: true },
    features: { type: 'string' },
    model: { type: 'string', multiple: true },
    name: { type: 'string', multiple: true },
    k: { type: 'string', default: '20,50,100' },
    top: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    valid: { type: 'string', default: '0.1' },
    test: { type: 'string', default: '0.1' },
  },
});
if (!values.logs?.length || !values.features || !values.model?.length) {
  process.stderr.write('usage: evaluate-split --logs LOGS --features F --model DIR... [--k 20,50,100]\n');
  process.exit(2);
}
const spec = await loadFeatureSpec(values.features);
const { dataset } = await loadDataset(values.logs, spec, { itemIds: false });
const valid = Number(values.valid);
const test = Number(values.test);
const splits = splitByRequest(dataset, heldOutFractions(valid, test), Number(values.seed));
const names = values.name?.length === values.model.length ? values.name : values.model.map((d) => basename(d));
for (const k of (values.k as string).split(',').map(Number)) {
  const report = await evaluateModels(splits.test, values.model, { k, top: Number(values.top), names });
  process.stdout.write(`${formatEvaluationTable(report)}\n`);
}
