// Cached encoded rows (features side by side) are copied into the request buffer's per-feature columns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRowCopy } from '../../src/serve/row-copy.js';

test('each row lands in every feature column at its place; rows without a slot are left alone', () => {
  const widths = [1, 3, 1];
  // Three cached rows of 5 words: row s holds s*10 + word.
  const words = Int32Array.from({ length: 15 }, (_, w) => Math.floor(w / 5) * 10 + (w % 5));
  const slots = Int32Array.from([2, -1, 0, 2]);
  const rows = 4;
  const bases = Int32Array.from([0, rows, 4 * rows]); // column 0: 4 words, column 1: 12 words, column 2: 4 words
  const into = new Int32Array(5 * rows).fill(-7);
  compileRowCopy(widths)(words, slots, rows, into, bases);
  assert.deepEqual([...into.subarray(0, 4)], [20, -7, 0, 20], 'first feature (width 1)');
  assert.deepEqual([...into.subarray(4, 16)], [21, 22, 23, -7, -7, -7, 1, 2, 3, 21, 22, 23], 'second feature (width 3)');
  assert.deepEqual([...into.subarray(16, 20)], [24, -7, 4, 24], 'third feature (width 1)');
});
