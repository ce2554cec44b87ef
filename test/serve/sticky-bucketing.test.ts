// Sticky A/B bucketing: deterministic per unit, growing a rollout only adds units, arms never swap units.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { armAssigner, armContextEvaluator, bucketOf, BUCKETS, inRollout } from '../../src/serve/bucketing.js';

const units = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);

test('a unit always lands in the same bucket, independent of call order and process', () => {
  const first = units.slice(0, 100).map((u) => bucketOf(u, 'exp1'));
  const again = units.slice(0, 100).reverse().map((u) => bucketOf(u, 'exp1')).reverse();
  assert.deepEqual(again, first);
  // Golden values: sha256("exp1:user-0") etc. must never change between releases, or users would switch arms.
  assert.deepEqual([bucketOf('user-0', 'exp1'), bucketOf('user-1', 'exp1')], GOLDEN);
  for (const b of first) assert.ok(Number.isInteger(b) && b >= 0 && b < BUCKETS);
});

const GOLDEN = [4133, 178];

test('growing a rollout only adds units', () => {
  const at = (p: number) => new Set(units.filter((u) => inRollout(u, 'exp1', p)));
  const steps = [0, 1, 5, 10, 25, 50, 100].map(at);
  for (let i = 1; i < steps.length; i++) {
    for (const u of steps[i - 1]) assert.ok(steps[i].has(u), `unit ${u} left the rollout when it grew`);
  }
  assert.equal(steps[0].size, 0);
  assert.equal(steps[steps.length - 1].size, units.length);
  const share = steps[3].size / units.length;
  assert.ok(Math.abs(share - 0.1) < 0.01, `10% rollout holds ${share}`);
});

test('growing either arm moves units only out of the rest, never between autofas and baseline', () => {
  const before = armAssigner({ salt: 'exp1', autofas: 10, baseline: 10 });
  const after = armAssigner({ salt: 'exp1', autofas: 30, baseline: 20 });
  let moved = 0;
  for (const u of units) {
    const a = before(u);
    const b = after(u);
    if (a !== 'off') assert.equal(b, a, `unit ${u} switched from ${a} to ${b}`);
    else if (b !== 'off') moved++;
  }
  assert.ok(moved > 0);
});

test('the salt reshuffles units and the context evaluator uses the targeting key', () => {
  const a = units.filter((u) => inRollout(u, 'exp1', 50));
  const b = new Set(units.filter((u) => inRollout(u, 'exp2', 50)));
  const same = a.filter((u) => b.has(u)).length / a.length;
  assert.ok(same > 0.4 && same < 0.6, `overlap between salts ${same}`);
  const evaluate = armContextEvaluator({ salt: 'exp1', autofas: 50, baseline: 50 });
  const assign = armAssigner({ salt: 'exp1', autofas: 50, baseline: 50 });
  for (const u of units.slice(0, 200)) assert.equal(evaluate({ targetingKey: u }), assign(u));
  assert.equal(evaluate({}), 'off');
});

test('bad split options throw ERR_AUTOFAS_OPTION', () => {
  for (const bad of [-1, 101, Number.NaN, Infinity, '10' as unknown as number]) {
    assert.throws(() => armAssigner({ autofas: bad }), { code: 'ERR_AUTOFAS_OPTION' });
  }
  assert.throws(() => armAssigner({ autofas: 60, baseline: 50 }), { code: 'ERR_AUTOFAS_OPTION' });
  assert.throws(() => armAssigner({ salt: '' }), { code: 'ERR_AUTOFAS_OPTION' });
  assert.throws(() => armAssigner({ rest: 'banana' as never }), { code: 'ERR_AUTOFAS_OPTION' });
});
