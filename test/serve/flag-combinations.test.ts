// Flags through OpenFeature's named client 'autofas': defaults without a provider, values, clamping, failures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InMemoryProvider, OpenFeature } from '@openfeature/server-sdk';
import { armAssigner, armContextEvaluator } from '../../src/serve/bucketing.js';
import { createFlagEvaluator, DEFAULT_FLAGS } from '../../src/serve/flags.js';
import type { FlagClient } from '../../src/serve/flags.js';

type Variants = Record<string, boolean | string | number>;
const flag = (variants: Variants, defaultVariant: string, contextEvaluator?: (ctx: { targetingKey?: string }) => string) => ({
  variants,
  defaultVariant,
  disabled: false,
  ...(contextEvaluator ? { contextEvaluator } : {}),
});

test('with no provider at all the defaults apply', async () => {
  const flags = createFlagEvaluator();
  assert.deepEqual(await flags.evaluate('u1', { user_id: 'u1' }), { ...DEFAULT_FLAGS, k: undefined });
});

test('a provider on the autofas domain drives every flag; arm follows the sticky split by targeting key', async () => {
  const split = { salt: 's', autofas: 40, baseline: 40 };
  await OpenFeature.setProviderAndWait(
    'autofas',
    new InMemoryProvider({
      'autofas.enabled': flag({ on: true, off: false }, 'on'),
      'autofas.arm': flag({ autofas: 'autofas', baseline: 'baseline', off: 'off' }, 'off', armContextEvaluator(split)),
      'autofas.k': flag({ small: 7, huge: 1e9, zero: 0 }, 'small', (ctx) => (ctx.targetingKey === 'big' ? 'huge' : ctx.targetingKey === 'zero' ? 'zero' : 'small')),
      'autofas.shadow': flag({ on: true, off: false }, 'on'),
      'autofas.teacherLogRate': flag({ some: 0.25, too: 5 }, 'some', (ctx) => (ctx.targetingKey === 'big' ? 'too' : 'some')),
    }),
  );
  try {
    const flags = createFlagEvaluator({ maxK: 500 });
    const assign = armAssigner(split);
    for (const unit of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) {
      const v = await flags.evaluate(unit, {});
      assert.deepEqual(v, { enabled: true, arm: assign(unit), k: 7, shadow: true, teacherLogRate: 0.25 });
    }
    assert.deepEqual(await flags.evaluate('big', {}), { enabled: true, arm: assign('big'), k: 500, shadow: true, teacherLogRate: 1 });
    assert.equal((await flags.evaluate('zero', {})).k, 0, 'a bad k is passed on: the middleware applies the one k rule and counts it');
    // The default client (no domain provider) is untouched: the plugin's provider is scoped to its domain.
    assert.equal(await OpenFeature.getClient('other').getBooleanValue('autofas.shadow', false), false);
  } finally {
    await OpenFeature.clearProviders();
  }
});

test('enabled off, arm off and a bad arm value', async () => {
  const client = fakeClient({ 'autofas.enabled': false, 'autofas.arm': 'banana', 'autofas.k': Number.NaN });
  const v = await createFlagEvaluator({ client, defaults: { arm: 'baseline' } }).evaluate('u', {});
  assert.deepEqual(v, { enabled: false, arm: 'baseline', k: Number.NaN, shadow: false, teacherLogRate: 0 });
  const off = await createFlagEvaluator({ client: fakeClient({ 'autofas.arm': 'off' }) }).evaluate('u', {});
  assert.equal(off.arm, 'off');
});

test('a throwing or rejecting provider never throws: defaults, and onError hears about it', async () => {
  const errors: unknown[] = [];
  const client: FlagClient = {
    getBooleanValue: () => {
      throw new Error('boom');
    },
    getStringValue: () => Promise.reject(new Error('down')),
    getNumberValue: () => Promise.reject(new Error('down')),
  };
  const v = await createFlagEvaluator({ client, onError: (e) => errors.push(e) }).evaluate('u', {});
  assert.deepEqual(v, { ...DEFAULT_FLAGS, k: undefined });
  assert.equal(errors.length, 5);
});

test('the evaluation context carries the unit as targetingKey and only primitive context values', async () => {
  let seen: Record<string, unknown> | undefined;
  const client = fakeClient({}, (ctx) => (seen = ctx));
  await createFlagEvaluator({ client }).evaluate('unit-9', { country: 'nl', age: 31, vec: [1, 2], bad: Number.NaN, vip: true });
  assert.deepEqual(seen, { country: 'nl', age: 31, vip: true, targetingKey: 'unit-9' });
});

test('bad options throw ERR_AUTOFAS_OPTION', () => {
  for (const maxK of [0, -1, 1.5, Number.NaN]) assert.throws(() => createFlagEvaluator({ maxK }), { code: 'ERR_AUTOFAS_OPTION' });
  assert.throws(() => createFlagEvaluator({ domain: '' }), { code: 'ERR_AUTOFAS_OPTION' });
  assert.throws(() => createFlagEvaluator({ defaults: { arm: 'x' as never } }), { code: 'ERR_AUTOFAS_OPTION' });
});

function fakeClient(values: Record<string, unknown>, onContext?: (ctx: Record<string, unknown>) => void): FlagClient {
  const get = <T>(key: string, def: T, ctx?: Record<string, unknown>): Promise<T> => {
    if (ctx) onContext?.(ctx);
    return Promise.resolve((key in values ? values[key] : def) as T);
  };
  return { getBooleanValue: get, getStringValue: get, getNumberValue: get };
}
