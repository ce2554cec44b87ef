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

test('rows found under an open hold are not replaced until it is released; with every row held nothing new is cached', () => {
  const slab = slabOf(['a', 'b'], { max: 2 });
  const hold = slab.hold();
  assert.equal(slab.slotsOf(['a', 'b'], 2, new Int32Array(2), hold), 0);
  assert.equal(slab.put('c', [9, -9]), false, "no row can take 'c': both are held");
  assert.equal(slab.allocate('d'), -1);
  assert.deepEqual([slab.slot('a'), slab.slot('b')], [0, 1], 'the held rows stay where the hold found them');
  assert.deepEqual([...slab.floats.subarray(0, 4)], [0, -0, 1, -1], 'and keep their contents');
  slab.release(hold);
  assert.equal(slab.put('c', [9, -9]), true, 'released: the clock may replace them again');
  assert.equal(slab.slot('a') === -1 || slab.slot('b') === -1, true);
});

test('a hold keeps only what it found: rows it missed are replaced as usual, and an older open hold still counts', () => {
  const slab = slabOf(['a', 'b', 'c'], { max: 3 });
  const first = slab.hold();
  slab.slotsOf(['a'], 1, new Int32Array(1), first);
  const second = slab.hold();
  slab.slotsOf(['b'], 1, new Int32Array(1), second);
  slab.release(second);
  assert.equal(slab.put('d', [3, -3]), true, "'c' was not held: it makes room");
  assert.equal(slab.slot('c'), -1);
  assert.notEqual(slab.slot('a'), -1);
  assert.notEqual(slab.slot('b'), -1, "'b' was found after the still-open first hold began, so it stays too");
  slab.release(first);
});

test('an expired row under a hold is not rewritten in place (fake clock)', () => {
  let now = 0;
  const slab = new RowSlab({ max: 4, ttlMs: 100, perf: { now: () => now } }, 1);
  slab.put('a', [1]);
  const hold = slab.hold();
  assert.equal(slab.slotsOf(['a'], 1, new Int32Array(1), hold), 0);
  now = 500; // expired for the next lookup, while a worker may still be copying it for the held request
  assert.equal(slab.allocate('a'), -1, 'the refreshed row is not cached over the held one');
  assert.equal(slab.floats[0], 1);
  slab.release(hold);
  assert.equal(slab.allocate('a'), 0, 'released: refreshed in its slot');
});

test('a shared slab grows in place: a view of its shared rows made after growth sees every row', () => {
  const slab = new RowSlab({ max: 5000, shared: true }, 2);
  const rows = slab.sharedRows;
  assert.ok(rows, 'growable shared memory is available on this Node');
  for (let i = 0; i < 3000; i++) slab.put(`i${i}`, [i, -i]); // past the first allocation of 1024 rows
  const view = new Float32Array(rows, 0, rows.byteLength / 4);
  assert.equal(slab.floats.length, view.length, "the slab's own view follows the growth");
  const at = slab.slot('i2999') * 2;
  assert.deepEqual([view[at], view[at + 1]], [2999, -2999]);
  assert.equal(slab.slot('i0'), 0, 'rows did not move');
});

test('a cache whose rows are all held stays so until its oldest hold ends, whichever newer ones end first', () => {
  const slab = slabOf(['a', 'b'], { max: 2 });
  const older = slab.hold();
  slab.slotsOf(['a'], 1, new Int32Array(1), older);
  const newer = slab.hold();
  slab.slotsOf(['b'], 1, new Int32Array(1), newer);
  assert.equal(slab.put('c', [1, 1]), false);
  slab.release(newer);
  assert.equal(slab.put('c', [1, 1]), false, "'b' was found after the older hold began: still held");
  slab.release(older);
  assert.equal(slab.put('c', [1, 1]), true);
});
