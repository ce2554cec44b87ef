// A budget is a constraint: lambda2 is 0 while the model fits, rises only while it is over, and returns to 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgetLambda2 } from '../../src/search/latency/budget.js';

test('under the budget lambda2 stays 0; over it, it rises; back under, it falls to exactly 0', () => {
  const lambda2 = budgetLambda2(1000, { rate: 0.5 });
  assert.equal(lambda2.value, 0);
  for (const us of [100, 500, 999, 1000]) assert.equal(lambda2.update(us), 0, `latency ${us} under a 1000 us budget`);
  const rising = [1500, 1500, 1500, 3000].map((us) => lambda2.update(us));
  assert.ok(rising[0] > 0 && rising.every((v, i) => i === 0 || v > rising[i - 1]), `rising: ${rising}`);
  let steps = 0;
  while (lambda2.update(900) > 0) assert.ok(++steps < 100, 'lambda2 returns to 0 within 100 steps under the budget');
  assert.equal(lambda2.value, 0);
});
