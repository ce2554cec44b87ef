// A model that reads store features is refused at start-up without an itemStore, unless the caller declares that the
// candidates carry them (`storeFeaturesFrom: 'candidates'`): no silent scoring with defaults.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rmSync } from 'node:fs';
import type { PreRanker } from '../../src/serve/types.js';
import { runOnce, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import type { TestArtifacts } from '../helpers/serve-app.js';

let paths: TestArtifacts;
before(async () => (paths = await writeTestArtifacts()));
after(() => rmSync(paths.root, { recursive: true, force: true }));

test('no itemStore and a model reading store features: createPreRanker rejects, naming the features', async () => {
  await assert.rejects(testPreRanker(paths, { itemStore: undefined }), (err: Error & { code?: string; details?: { features?: string[] } }) => {
    assert.equal(err.code, 'ERR_AUTOFAS_STORE_FEATURES');
    assert.deepEqual(err.details?.features, ['item_price']);
    assert.match(err.message, /item_price/);
    return true;
  });
});

test("storeFeaturesFrom: 'candidates' starts, and the candidates' values are the ones scored", async () => {
  const preRanker: PreRanker = await testPreRanker(paths, { itemStore: undefined, storeFeaturesFrom: 'candidates', baseline: undefined });
  try {
    const scoreWith = async (price: number) => {
      const search = testSearch(20);
      for (const c of search.candidates) (c.features as Record<string, unknown>).item_price = price;
      const { search: out, preRank } = await runOnce(preRanker, search);
      assert.equal(preRank.path, 'model');
      return new Map(out.candidates.map((c) => [c.item_id, c.preRankScore]));
    };
    const [cheap, dear] = [await scoreWith(0.5), await scoreWith(9)];
    assert.ok([...cheap].some(([id, s]) => dear.get(id) !== s), 'item_price on the candidates did not reach the model');
  } finally {
    await preRanker.close();
  }
});

test('a storeFeaturesFrom value outside the enum is an option error', async () => {
  await assert.rejects(testPreRanker(paths, { storeFeaturesFrom: 'redis' as never }), { code: 'ERR_AUTOFAS_OPTION' });
});
