// Path weight steps (ProxylessNAS): when softmax(alpha) picks one operator per Mixop, a path step is the mixture step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTrainer } from '../../src/graph/trainer.js';
import { BatchSampler, teacherScale } from '../../src/search/data/batches.js';
import { numericStats } from '../../src/search/model/inputs.js';
import { createPathTrainer } from '../../src/search/model/path-trainer.js';
import { searchSpace, Supernet } from '../../src/search/model/supernet.js';
import { parseSearchOptions } from '../../src/search/search/config.js';
import { createRng } from '../../src/util/random.js';
import { fixtureDataset } from './search-helpers.js';

/** Op per Mixop for the widths [64, 32] (+ identity after the first): fc32, identity, fc64. */
const CHOICE = [1, 2, 0];

async function supernetPicking(choice: readonly number[]) {
  const dataset = await fixtureDataset();
  const config = parseSearchOptions({ widths: [64, 32], requestsPerBatch: 2, candidatesPerRequest: 64 });
  const features = dataset.spec.features;
  const space = searchSpace(config);
  const supernet = new Supernet(features, numericStats(dataset, features), { features: features.map((f) => f.name), embeddingDim: config.embeddingDim, mixops: space, initialKeep: 0.5 }, createRng(3));
  supernet.mixops.forEach((m, l) => m.alpha.fill(-40).fill(40, choice[l], choice[l] + 1));
  const sg = supernet.build(config.distill, config.lambda1, config.candidatesPerRequest);
  const sampler = new BatchSampler(dataset, features, teacherScale(dataset.teacher), config.requestsPerBatch, config.candidatesPerRequest, createRng(4));
  return { supernet, sg, config, batches: [sampler.next().feeds, sampler.next().feeds] };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

test('a path step trains exactly what the mixture step trains when alpha picks one operator per Mixop', async () => {
  const mixture = await supernetPicking(CHOICE);
  const path = await supernetPicking(CHOICE);
  const trainer = await createTrainer(mixture.sg.g, mixture.sg.losses.student, {
    lr: mixture.config.learningRate,
    trainable: mixture.sg.weightParams.map((p) => p.value.name),
    extras: { task: mixture.sg.losses.task },
  });
  const pathTrainer = await createPathTrainer(path.supernet, path.config, createRng(5));
  try {
    for (let step = 0; step < 2; step++) {
      const a = await trainer.step(mixture.batches[step]);
      const b = await pathTrainer.step(path.batches[step]);
      assert.ok(Math.abs(a - b) < 1e-5, `step ${step}: mixture loss ${a}, path loss ${b}`);
      assert.ok(Math.abs(trainer.extras.task[0] - pathTrainer.extras.task[0]) < 1e-5);
    }
    const before = (await supernetPicking(CHOICE)).supernet.weightArrays();
    const after = { mixture: mixture.supernet.weightArrays(), path: path.supernet.weightArrays() };
    after.path.forEach((p, k) => {
      assert.ok(maxAbsDiff(p, after.mixture[k]) < 1e-5, `array ${k} differs by ${maxAbsDiff(p, after.mixture[k])}`);
    });
    assert.ok(after.path.some((p, k) => maxAbsDiff(p, before[k]) > 1e-4), 'the path steps moved the weights');
  } finally {
    await trainer.dispose();
    await pathTrainer.dispose();
  }
});
