// Model artifacts: card round trip, atomic write -> load, and corrupt or mismatched artifacts rejected by code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeModel } from '../../src/graph/builder.js';
import { Graph } from '../../src/graph/graph.js';
import { checkSessionAgainstCard, loadArtifact, sha256Hex, writeArtifact } from '../../src/schema/artifact.js';
import { createSession } from '../../src/graph/runtime.js';
import type { CardDraft } from '../../src/schema/artifact.js';
import { inputLayout } from '../../src/schema/encoder.js';
import { parseFeatureSpec } from '../../src/schema/feature-spec.js';
import { makeModelId, parseModelCard } from '../../src/schema/model-card.js';

const spec = parseFeatureSpec({
  version: 1,
  features: [
    { name: 'ctr', side: 'item', type: 'numeric', source: 'store', costUs: 30 },
    { name: 'brand', side: 'item', type: 'categorical', source: 'request', hashBuckets: 8 },
    { name: 'user_vec', side: 'context', type: 'vector', source: 'store', dim: 2 },
  ],
});
const inputs = spec.features.map((feature) => {
  const l = inputLayout(feature);
  return { feature, input: l.name, dtype: l.dtype, dims: [...l.dims] };
});

function tinyModel(extraInput = false): Uint8Array {
  const g = new Graph('tiny');
  const ctr = g.input('ctr', 'float32', ['N', 1]);
  const brand = g.input('brand', 'int32', ['N']);
  const user = g.input('user_vec', 'float32', [1, 2]);
  const table = g.constant([0, 1, 2, 3, 4, 5, 6, 7], [8, 1]);
  let h = g.add(g.add(ctr, g.gather(table, brand)), g.reduceSum(user, [1], true));
  if (extraInput) h = g.add(h, g.input('extra', 'float32', ['N', 1]));
  g.output(g.reshape(h, [-1]), 'score');
  return encodeModel(g.toModel());
}

const draft: CardDraft = {
  version: 1,
  kind: 'autofas',
  inputs,
  outputs: { score: 'score' },
  architecture: { layers: [4] },
  latency: { candidates: 1000, expectedUs: 800, measuredUs: 750 },
  metrics: { validation: { auc: 0.71, recall_at_k: 0.9 } },
  provenance: { logsHash: 'abc', specHash: 'def', toolVersion: '0.1.0', seed: 1, createdAt: '2026-01-01T00:00:00Z' },
};
const root = mkdtempSync(join(tmpdir(), 'autofas-artifact-'));
let n = 0;
const fresh = (): string => join(root, `a${n++}`);

test('write -> load round trip; the id is the content hash; no temp dirs left', async () => {
  const dir = fresh();
  const bytes = tinyModel();
  const card = await writeArtifact(dir, draft, bytes);
  assert.equal(card.modelId, makeModelId('autofas', sha256Hex(bytes)));
  const loaded = await loadArtifact(dir, { spec });
  assert.deepEqual(loaded.card, card);
  assert.deepEqual(parseModelCard(JSON.parse(JSON.stringify(card))), card);
  assert.deepEqual(readdirSync(root).filter((f) => f.startsWith('.')), []);
  await writeArtifact(dir, { ...draft, architecture: { layers: [8] } }, bytes);
  assert.deepEqual((await loadArtifact(dir)).card.architecture, { layers: [8] });
});

async function expectCode(dir: string, code: string, options = {}) {
  await assert.rejects(loadArtifact(dir, options), (err: any) => (assert.equal(err.code, code), true));
}

test('corrupt artifacts are rejected with their code', async () => {
  const cases: [string, (dir: string) => void, string][] = [
    ['model.onnx changed', (d) => writeFileSync(join(d, 'model.onnx'), Buffer.concat([readFileSync(join(d, 'model.onnx')), Buffer.from([0])])), 'ERR_AUTOFAS_MODEL_FILES'],
    ['model.onnx missing', (d) => rmSync(join(d, 'model.onnx')), 'ERR_AUTOFAS_MODEL_FILES'],
    ['model.json missing', (d) => rmSync(join(d, 'model.json')), 'ERR_AUTOFAS_MODEL_FILES'],
    ['model.json not JSON', (d) => writeFileSync(join(d, 'model.json'), '{"version":'), 'ERR_AUTOFAS_MODEL_CARD'],
    ['model.json version 2', (d) => patchCard(d, (c) => ({ ...c, version: 2 })), 'ERR_AUTOFAS_MODEL_CARD'],
    ['model.json unknown kind', (d) => patchCard(d, (c) => ({ ...c, kind: 'magic' })), 'ERR_AUTOFAS_MODEL_CARD'],
    ['model.json no inputs', (d) => patchCard(d, (c) => ({ ...c, inputs: [] })), 'ERR_AUTOFAS_MODEL_CARD'],
    ['model.json bad latency', (d) => patchCard(d, (c) => ({ ...c, latency: { candidates: -1 } })), 'ERR_AUTOFAS_MODEL_CARD'],
    ['input listed twice', (d) => patchCard(d, (c) => ({ ...c, inputs: [...c.inputs, c.inputs[0]] })), 'ERR_AUTOFAS_MODEL_CARD'],
    ['card dims differ from the feature layout', (d) => patchInput(d, 'ctr', (i) => ({ ...i, dims: ['N', 2] })), 'ERR_AUTOFAS_MODEL_CARD'],
    ['card dtype differs from the feature layout', (d) => patchInput(d, 'brand', (i) => ({ ...i, dtype: 'float32' })), 'ERR_AUTOFAS_MODEL_CARD'],
    ['context feature with item dims', (d) => patchInput(d, 'ctr', (i) => ({ ...i, feature: { ...i.feature, side: 'context' } })), 'ERR_AUTOFAS_MODEL_CARD'],
    ['card dims differ from ONNX', (d) => patchInput(d, 'ctr', (i) => ({ ...i, feature: { ...i.feature, type: 'vector', dim: 2 }, dims: ['N', 2] })), 'ERR_AUTOFAS_MODEL_SCHEMA'],
    ['card dtype differs from ONNX', (d) => patchInput(d, 'brand', (i) => ({ ...i, feature: { name: 'brand', side: 'item', type: 'numeric', source: 'request' }, dtype: 'float32', dims: ['N', 1] })), 'ERR_AUTOFAS_MODEL_SCHEMA'],
    ['card output missing in ONNX', (d) => patchCard(d, (c) => ({ ...c, outputs: { score: 'logit' } })), 'ERR_AUTOFAS_MODEL_SCHEMA'],
  ];
  for (const [name, corrupt, code] of cases) {
    const dir = fresh();
    await writeArtifact(dir, draft, tinyModel());
    corrupt(dir);
    await assert.rejects(loadArtifact(dir), (err: any) => (assert.equal(err.code, code, name), true));
  }
});

function patchCard(dir: string, patch: (card: any) => any): void {
  const path = join(dir, 'model.json');
  writeFileSync(path, JSON.stringify(patch(JSON.parse(readFileSync(path, 'utf8')))));
}

function patchInput(dir: string, name: string, patch: (input: any) => any): void {
  patchCard(dir, (c) => ({ ...c, inputs: c.inputs.map((i: any) => (i.input === name ? patch(i) : i)) }));
}

test('ONNX with an input the card does not list, or bytes that are not ONNX, are rejected', async () => {
  const extra = fresh();
  await writeArtifact(extra, draft, tinyModel(true));
  await expectCode(extra, 'ERR_AUTOFAS_MODEL_SCHEMA');
  const junk = fresh();
  await writeArtifact(junk, draft, new Uint8Array([1, 2, 3, 4]));
  await expectCode(junk, 'ERR_AUTOFAS_MODEL_FILES');
});

test('a caller that opens the model itself checks it on its own session (loadArtifact with checkOnnx: false)', async () => {
  const dir = fresh();
  await writeArtifact(dir, draft, tinyModel(true));
  const { card, modelBytes } = await loadArtifact(dir, { checkOnnx: false });
  const session = await createSession(modelBytes);
  try {
    assert.throws(() => checkSessionAgainstCard(session, card, dir), { code: 'ERR_AUTOFAS_MODEL_SCHEMA' });
    const good = await createSession(tinyModel());
    try {
      checkSessionAgainstCard(good, card, dir);
    } finally {
      await good.dispose();
    }
  } finally {
    await session.dispose();
  }
});

test('card features are checked against the feature spec', async () => {
  const dir = fresh();
  await writeArtifact(dir, draft, tinyModel());
  const other = (patch: Record<string, unknown>) => parseFeatureSpec({ version: 1, features: spec.features.map((f) => (f.name === 'ctr' ? { ...f, ...patch } : f)) });
  await expectCode(dir, 'ERR_AUTOFAS_MODEL_SCHEMA', { spec: other({ side: 'cross' }) });
  await expectCode(dir, 'ERR_AUTOFAS_MODEL_SCHEMA', { spec: other({ source: 'request' }) });
  await expectCode(dir, 'ERR_AUTOFAS_MODEL_SCHEMA', { spec: parseFeatureSpec({ version: 1, features: spec.features.slice(1) }) });
  const buckets = parseFeatureSpec({ version: 1, features: spec.features.map((f) => (f.name === 'brand' ? { ...f, hashBuckets: 16 } : f)) });
  await expectCode(dir, 'ERR_AUTOFAS_MODEL_SCHEMA', { spec: buckets });
});

test('writeArtifact refuses an invalid card draft', async () => {
  await assert.rejects(writeArtifact(fresh(), { ...draft, kind: 'nope' } as never, tinyModel()), (err: any) => (assert.equal(err.code, 'ERR_AUTOFAS_MODEL_CARD'), true));
});
