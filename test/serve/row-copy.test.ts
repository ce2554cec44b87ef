// Cached encoded rows (features side by side) are copied into the request buffer's per-feature columns, and back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRowCopy } from '../../src/serve/row-copy.js';

const widths = [1, 3, 1];
const rows = 4;
const bases = Int32Array.from([0, rows, 4 * rows]); // column 0: 4 words, column 1: 12 words, column 2: 4 words

test('each row lands in every feature column at its place; rows without a slot are left alone', () => {
  // Three cached rows of 5 words: row s holds s*10 + word.
  const words = Int32Array.from({ length: 15 }, (_, w) => Math.floor(w / 5) * 10 + (w % 5));
  const slots = Int32Array.from([2, -1, 0, 2]);
  const into = new Int32Array(5 * rows).fill(-7);
  compileRowCopy(widths).toColumns(words, slots, rows, into, bases);
  assert.deepEqual([...into.subarray(0, 4)], [20, -7, 0, 20], 'first feature (width 1)');
  assert.deepEqual([...into.subarray(4, 16)], [21, 22, 23, -7, -7, -7, 1, 2, 3, 21, 22, 23], 'second feature (width 3)');
  assert.deepEqual([...into.subarray(16, 20)], [24, -7, 4, 24], 'third feature (width 1)');
});

test('columns go back into the rows at their slots, and a round trip gives the columns again', () => {
  const columns = Int32Array.from({ length: 5 * rows }, (_, w) => 100 + w);
  const slots = Int32Array.from([1, -1, 0, -1]);
  const words = new Int32Array(10).fill(-7);
  const copies = compileRowCopy(widths);
  copies.toRows(words, slots, rows, columns, bases);
  // Row 0 of the buffer went to slot 1, row 2 to slot 0: each slot holds feature 0, the 3 words of feature 1, feature 2.
  assert.deepEqual([...words], [102, 110, 111, 112, 118, 100, 104, 105, 106, 116]);
  const back = new Int32Array(5 * rows).fill(-7);
  copies.toColumns(words, slots, rows, back, bases);
  for (const i of [0, 2]) {
    assert.equal(back[i], columns[i]);
    assert.deepEqual([...back.subarray(rows + 3 * i, rows + 3 * i + 3)], [...columns.subarray(rows + 3 * i, rows + 3 * i + 3)]);
    assert.equal(back[4 * rows + i], columns[4 * rows + i]);
  }
});
