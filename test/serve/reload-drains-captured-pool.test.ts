// A request that picked the old model before a reload (e.g. while waiting on a slow item store) still runs on it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ItemStore } from '../../src/serve/option-types.js';
import { collect, runOnce, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import { testStoreData } from '../helpers/serve-models.js';

test('the old pool is released only after requests holding it have run: no fallback across a swap', async () => {
  const paths = await writeTestArtifacts();
  const data = testStoreData(100);
  let entered: () => void = () => {};
  const storeCalled = new Promise<void>((resolve) => (entered = resolve));
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const slowStore: ItemStore = {
    async get(ids) {
      entered();
      await gate;
      return ids.map((id) => data.get(id));
    },
  };
  const preRanker = await testPreRanker(paths, { itemStore: slowStore, itemCacheSize: 0 });
  after(() => preRanker.close());
  const fallbacks = collect(preRanker, 'fallback');
  const oldId = preRanker.models().model?.modelId;
  const pending = runOnce(preRanker, testSearch(50));
  await storeCalled; // the request has picked the old pool and waits on the store
  const card = await preRanker.reload(paths.model2);
  assert.notEqual(card.modelId, oldId);
  open();
  const { preRank } = await pending;
  assert.deepEqual(fallbacks, []);
  assert.equal(preRank.path, 'model');
  assert.equal(preRank.modelId, oldId, 'scored by the model it started with');
});
