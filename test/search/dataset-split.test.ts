// splitByRequest and subsetRequests: compact copies, disjoint deterministic splits, rows travel with their request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset, splitByRequest, subsetRequests } from '../../src/search/data/dataset.js';
import { goodRecord, smallSpec, writeLog } from './dataset-helpers.js';

async function load(n: number) {
  const lines = Array.from({ length: n }, (_, i) => goodRecord(i, 1 + (i % 4)));
  return (await loadDataset([writeLog(`split-${n}.jsonl`, lines)], smallSpec)).dataset;
}

test('subsetRequests copies the chosen requests compactly, in order, with their rows', async () => {
  const d = await load(10);
  const s = subsetRequests(d, [7, 2]);
  assert.deepEqual(s.requestIds, ['r7', 'r2']);
  assert.deepEqual([...s.requestOffsets], [0, 4, 7]);
  assert.equal(s.rows, 7);
  assert.deepEqual([...s.teacher], [7, 6, 5, 4, 2, 1, 0]);
  assert.deepEqual([...s.context.get('user_vec')!], [7, 7.5, -7, 2, 2.5, -2]);
  assert.deepEqual([...s.columns.get('item_vec')!].slice(8, 14), [0, 0, 1, -1, 2, -2]);
  assert.equal(s.columns.get('match')!.length, 7);
  assert.deepEqual([...s.itemIds!.index], [0, 1, 2, 3, 0, 1, 2]);
  assert.notEqual(s.teacher.buffer, d.teacher.buffer, 'a copy, not a view');
});

test('subsetRequests rejects out-of-range indices', async () => {
  const d = await load(3);
  for (const bad of [[3], [-1], [0.5], ['1']]) {
    assert.throws(() => subsetRequests(d, bad as number[]), (err: any) => (assert.equal(err.code, 'ERR_AUTOFAS_OPTION'), true));
  }
});

test('splitByRequest: disjoint, complete, sized by the fractions, deterministic per seed', async () => {
  const d = await load(40);
  const a = splitByRequest(d, { train: 0.7, validation: 0.15, test: 0.15 }, 3);
  const b = splitByRequest(d, { train: 0.7, validation: 0.15, test: 0.15 }, 3);
  const c = splitByRequest(d, { train: 0.7, validation: 0.15, test: 0.15 }, 4);
  assert.deepEqual([a.train.requests, a.validation.requests, a.test.requests], [28, 6, 6]);
  const all = [...a.train.requestIds, ...a.validation.requestIds, ...a.test.requestIds];
  assert.equal(new Set(all).size, 40);
  assert.deepEqual(a.train.requestIds, b.train.requestIds);
  assert.notDeepEqual(a.train.requestIds, c.train.requestIds);
  assert.equal(a.train.rows + a.validation.rows + a.test.rows, d.rows);
});

test('splitByRequest rejects bad fractions and seeds', async () => {
  const d = await load(5);
  const bad: unknown[][] = [
    [{ train: 0.5, validation: 0.2, test: 0.2 }, 1],
    [{ train: -0.1, validation: 0.6, test: 0.5 }, 1],
    [{ train: Number.NaN, validation: 0.5, test: 0.5 }, 1],
    [{ train: '0.8', validation: 0.1, test: 0.1 }, 1],
    [null, 1],
    [{ train: 0.8, validation: 0.1, test: 0.1 }, 1.5],
  ];
  for (const [fractions, seed] of bad) {
    assert.throws(() => splitByRequest(d, fractions as any, seed as number), (err: any) => (assert.equal(err.code, 'ERR_AUTOFAS_OPTION'), true));
  }
});
