// The exported vector model: score == <context_embedding, item_embedding>, item embeddings ignore the context.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createSession, type Session } from '../../src/graph/runtime.js';
import { loadArtifact, type Artifact } from '../../src/schema/artifact.js';
import { trainBaseline, writeBaseline } from '../../src/search/baselines/index.js';
import { requestFeeds } from '../../src/search/evaluate/feeds.js';
import { toyDataset, toySpec } from './baselines-toy-world.js';

let dir: string;
let artifact: Artifact;
let session: Session;
const data = toyDataset(6, 40, 11);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autofas-vector-'));
  const trained = await trainBaseline(toyDataset(12, 60, 7), { kind: 'vector', epochs: 2, requestsPerBatch: 4, candidatesPerRequest: 16, seed: 3 });
  await writeBaseline(join(dir, 'vector'), trained, { logsHash: 'test', specHash: 'test', toolVersion: '0.0.0' });
  artifact = await loadArtifact(join(dir, 'vector'), { spec: toySpec });
  session = await createSession(artifact.modelBytes);
});

after(async () => {
  await session?.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('the vector artifact is kind vector, names both embedding outputs and reads no cross feature', () => {
  const { card } = artifact;
  assert.equal(card.kind, 'vector');
  assert.deepEqual(card.outputs, { score: 'score', contextEmbedding: 'context_embedding', itemEmbedding: 'item_embedding' });
  assert.ok(card.inputs.every((i) => i.feature.side !== 'cross'));
  assert.deepEqual(card.inputs.filter((i) => i.feature.side === 'context').map((i) => i.dims[0]), [1, 1]);
});

test('the exported score equals the dot product of the two embeddings', async () => {
  const out = await session.run(requestFeeds(artifact.card, data, 0));
  const ctx = out.context_embedding.data as Float32Array;
  const items = out.item_embedding.data as Float32Array;
  const score = out.score.data as Float32Array;
  const d = ctx.length;
  assert.deepEqual(out.context_embedding.dims, [1, d]);
  assert.equal(items.length, score.length * d);
  for (let i = 0; i < score.length; i++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += ctx[j] * items[i * d + j];
    assert.ok(Math.abs(dot - score[i]) <= 1e-4 * Math.max(1, Math.abs(dot)), `row ${i}: ${score[i]} != ${dot}`);
  }
});

test('item embeddings do not depend on the request context', async () => {
  const feeds = requestFeeds(artifact.card, data, 0);
  const other = requestFeeds(artifact.card, data, 1);
  const swapped = { ...feeds, user_age: other.user_age, user_segment: other.user_segment };
  const a = await session.run(feeds);
  const b = await session.run(swapped);
  assert.notDeepEqual(a.context_embedding.data, b.context_embedding.data);
  assert.deepEqual(a.item_embedding.data, b.item_embedding.data);
});
