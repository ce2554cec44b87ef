// A worker copies a request's cached rows (ahead of its run when sent ahead) and its misses into its own columns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadArtifact } from '../../src/schema/artifact.js';
import { FeaturePlan } from '../../src/serve/feature-plan.js';
import { FeedBatch, feedOffset } from '../../src/serve/feed-layout.js';
import type { FeedLayout } from '../../src/serve/feed-layout.js';
import { WorkerRows } from '../../src/serve/row-gather.js';
import { RowSlab } from '../../src/serve/row-slab.js';
import { writeTestArtifacts } from '../helpers/serve-app.js';
import { testStoreData } from '../helpers/serve-models.js';

// One context feed (width 1), then item feeds: a request feature (width 1) and two stored ones (widths 2 and 1).
const layout: FeedLayout = {
  feeds: [
    { name: 'ctx', dtype: 'float32', width: 1, perCandidate: false, offset: 0 },
    { name: 'req', dtype: 'float32', width: 1, perCandidate: true, offset: 0 },
    { name: 'vec', dtype: 'float32', width: 2, perCandidate: true, offset: 1 },
    { name: 'cat', dtype: 'int32', width: 1, perCandidate: true, offset: 3 },
  ],
  contextWords: 1,
  rowWords: 4,
};
const STORED = [2, 3];

/** A shared cache holding rows for `cached` ids: vec = (id, id + 0.5), cat = 10 * id. */
function cacheOf(cached: readonly number[]): RowSlab {
  const slab = new RowSlab({ max: 64, shared: true }, 3);
  for (const id of cached) {
    const slot = slab.allocate(`i${id}`);
    slab.floats.set([id, id + 0.5], slot * 3);
    slab.words[slot * 3 + 2] = 10 * id;
  }
  return slab;
}

/** A request for `ids`: slot list from the cache; a miss's row encoded into the buffer as the host does (vec -1, cat -7). */
function requestOf(slab: RowSlab, ids: readonly number[]): FeedBatch {
  const batch = new FeedBatch(layout, ids.length, true);
  const slots = batch.slots as Int32Array;
  slab.slotsOf(ids.map((id) => `i${id}`), ids.length, slots);
  const [vec, cat] = STORED.map((k) => feedOffset(layout, layout.feeds[k], ids.length));
  ids.forEach((_, i) => {
    if (slots[i] >= 0) return;
    batch.f32.set([-1, -1], vec + 2 * i);
    batch.i32[cat + i] = -7;
  });
  return batch;
}

/** The stored columns a worker would feed ORT: [vec pairs, cat] per row. */
function storedColumns(buffer: ArrayBuffer, rows: number): number[][] {
  const [vec, cat] = STORED.map((k) => feedOffset(layout, layout.feeds[k], rows));
  const f32 = new Float32Array(buffer);
  const i32 = new Int32Array(buffer);
  return Array.from({ length: rows }, (_, i) => [f32[vec + 2 * i], f32[vec + 2 * i + 1], i32[cat + i]]);
}

const expected = (ids: readonly number[], cached: readonly number[]): number[][] => ids.map((id) => (cached.includes(id) ? [id, id + 0.5, 10 * id] : [-1, -1, -7]));

test('a run copies its cached rows and its misses into the worker\'s columns', () => {
  const cached = [1, 2, 5];
  const slab = cacheOf(cached);
  const rows = new WorkerRows();
  rows.add(1, { rows: slab.sharedRows as SharedArrayBuffer, widths: [2, 1], feeds: STORED }, layout);
  const ids = [5, 3, 1, 9, 2];
  const batch = requestOf(slab, ids);
  const { buffer, feeds } = rows.columns(1, batch.buffer, ids.length);
  assert.deepEqual(feeds, STORED);
  assert.deepEqual(storedColumns(buffer, ids.length), expected(ids, cached));
});

test('rows sent ahead are copied when the prefetch comes, and the run uses that copy', () => {
  const cached = [0, 4];
  const slab = cacheOf(cached);
  const rows = new WorkerRows();
  rows.add(1, { rows: slab.sharedRows as SharedArrayBuffer, widths: [2, 1], feeds: STORED }, layout);
  const ids = [4, 8, 0];
  const batch = requestOf(slab, ids);
  const slots = (batch.slots as Int32Array).slice();
  rows.prefetch({ gen: 1, gatherId: 7, rows: ids.length, slots: slots.buffer });
  slab.floats[slab.slot('i4') * 3] = 99; // after the prefetch: the run must not see it
  assert.deepEqual(storedColumns(rows.columns(1, batch.buffer, ids.length, 7).buffer, ids.length), expected(ids, cached));
  // A run whose prefetch is unknown copies its rows itself, as they are now.
  const now = storedColumns(rows.columns(1, batch.buffer, ids.length, 8).buffer, ids.length);
  assert.equal(now[0][0], 99);
});

test('a prefetch for a model the worker was not sent is ignored; a run naming such a model fails with its generation', () => {
  const rows = new WorkerRows();
  rows.prefetch({ gen: 3, gatherId: 1, rows: 1, slots: new Int32Array([0]).buffer });
  assert.throws(() => rows.columns(3, new ArrayBuffer(64), 1, 1), /model generation 3/);
});

test('a finished run\'s buffer serves the next run, every stored word written again', () => {
  const cached = [1, 2, 3];
  const slab = cacheOf(cached);
  const rows = new WorkerRows();
  rows.add(1, { rows: slab.sharedRows as SharedArrayBuffer, widths: [2, 1], feeds: STORED }, layout);
  const first = rows.columns(1, requestOf(slab, [1, 2, 3, 4]).buffer, 4).buffer;
  rows.done(first);
  const ids = [9, 3, 8];
  const second = rows.columns(1, requestOf(slab, ids).buffer, ids.length).buffer;
  assert.equal(second, first, 'the same buffer');
  assert.deepEqual(storedColumns(second, ids.length), expected(ids, cached));
});

test('the worker\'s columns equal the main thread\'s copy, for a plan whose cache is not shared', async () => {
  const { card } = await loadArtifact((await writeTestArtifacts()).model, { checkOnnx: false });
  const data = testStoreData(100);
  const encodeTwice = (plan: FeaturePlan): { buffer: ArrayBuffer; rows: number } => {
    let last = { buffer: new ArrayBuffer(0), rows: 0 };
    for (const ids of [['i1', 'i2', 'i3'], ['i3', 'i9', 'i1', 'i7', 'i2']]) {
      const encoding = plan.newEncoding(ids.length);
      const missAt = plan.findCachedRows(encoding, ids);
      plan.encodeStoreRows(encoding, missAt.map((i) => data.get(ids[i])), missAt, ids);
      encoding.batch.dropHold();
      last = { buffer: encoding.batch.buffer, rows: ids.length };
    }
    return last;
  };
  const options = (shared: boolean) => ({ storeFromCandidates: false, rowCache: { max: 100, shared } });
  const here = encodeTwice(new FeaturePlan(card, options(false)));
  const sharedPlan = new FeaturePlan(card, options(true));
  assert.ok(sharedPlan.rowGather);
  const request = encodeTwice(sharedPlan);
  const worker = new WorkerRows();
  worker.add(1, sharedPlan.rowGather, sharedPlan.layout);
  const { buffer, feeds } = worker.columns(1, request.buffer, request.rows);
  assert.ok(feeds.length > 0);
  for (const k of feeds) {
    const at = feedOffset(sharedPlan.layout, sharedPlan.layout.feeds[k], request.rows);
    const words = request.rows * sharedPlan.layout.feeds[k].width;
    assert.deepEqual([...new Int32Array(buffer, at * 4, words)], [...new Int32Array(here.buffer, at * 4, words)], sharedPlan.layout.feeds[k].name);
  }
});
