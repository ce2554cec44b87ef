// The row cache looks a request's ids up in one batch: same slots as one by one, lifetimes checked, reads marked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RowSlab } from '../../src/serve/row-slab.js';

function slabOf(ids: readonly string[], options: ConstructorParameters<typeof RowSlab>[0]): RowSlab {
  const slab = new RowSlab(options, 2);
  ids.forEach((id, i) => slab.put(id, [i, -i]));
  return slab;
}

test('a batch lookup gives each id its slot, -1 for ids not cached, and counts the misses', () => {
  const slab = slabOf(['a', 'b', 'c'], { max: 10 });
  const ids = ['c', 'x', 'a', 'c', 'y', 'b'];
  const out = new Int32Array(8).fill(99);
  assert.equal(slab.slotsOf(ids, ids.length, out), 2);
  assert.deepEqual([...out.subarray(0, ids.length)], ids.map((id) => slab.slot(id)));
  assert.deepEqual([...out.subarray(0, ids.length)], [2, -1, 0, 2, -1, 1]);
  assert.deepEqual([...out.subarray(ids.length)], [99, 99], 'only the first `rows` entries are written');
});

test('a batch lookup misses rows past their lifetime (fake clock)', () => {
  let now = 0;
  const slab = new RowSlab({ max: 10, ttlMs: 100, perf: { now: () => now } }, 1);
  slab.put('old', [1]);
  now = 60;
  slab.put('new', [2]);
  now = 150;
  const out = new Int32Array(2);
  assert.equal(slab.slotsOf(['old', 'new'], 2, out), 1);
  assert.deepEqual([...out], [-1, 1], "'old' was written 150 ms ago, 'new' 90 ms ago");
});

test('a row read by a batch lookup is kept over one not read when the full cache replaces a row', () => {
  // Three rows fill the cache; a fourth replaces 'a' and leaves the read bits of 'b' and 'c' cleared.
  const slab = slabOf(['a', 'b', 'c', 'd'], { max: 3 });
  assert.equal(slab.slot('a'), -1);
  slab.slotsOf(['b'], 1, new Int32Array(1));
  slab.put('e', [5, -5]);
  assert.notEqual(slab.slot('b'), -1, "'b' was read since the hand last passed it");
  assert.equal(slab.slot('c'), -1, "'c' was not, so it is the row replaced");
});
