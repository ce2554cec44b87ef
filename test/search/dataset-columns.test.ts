// Chunked columns: rows land at the right place across every chunk boundary and compact to the exact size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkedColumn } from '../../src/search/data/column-builder.js';

test('every row survives growth across chunk sizes and compaction', () => {
  const rows = 600_000; // past the doubling phase (258048 rows) into fixed-size chunks
  const col = new ChunkedColumn(Int32Array, 2);
  for (let r = 0; r < rows; r++) {
    col.set(r, r); // width 2: set() writes the first slot of the row
  }
  const out = col.finish(rows);
  assert.equal(out.length, rows * 2);
  for (let r = 0; r < rows; r++) if (out[r * 2] !== r) assert.fail(`row ${r} holds ${out[r * 2]}`);
});

test('rows can be rewritten out of order and unwritten rows stay zero', () => {
  const col = new ChunkedColumn(Float32Array, 1);
  for (const r of [300_000, 5, 4095, 4096, 12_287, 12_288, 258_047, 258_048]) col.set(r, r + 0.5);
  col.set(5, 1);
  const out = col.finish(300_001);
  assert.deepEqual([out[5], out[4095], out[4096], out[12_287], out[12_288], out[258_047], out[258_048], out[300_000]], [1, 4095.5, 4096.5, 12287.5, 12288.5, 258047.5, 258048.5, 300000.5]);
  assert.equal(out[6], 0);
  assert.equal(col.bytes(), 0, 'chunks released');
});
