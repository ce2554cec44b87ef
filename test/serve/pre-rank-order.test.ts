// The kept candidates are exactly the top k of a direct ONNX Runtime run of the same model, in score order.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import type { PreRanker } from '../../src/serve/types.js';
import { orderByScore } from '../../src/util/order-by-score.js';
import { CAT_BUCKETS, testStoreData } from '../helpers/serve-models.js';
import { runOnce, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';
import type { TestArtifacts } from '../helpers/serve-app.js';
import { fnv1a32 } from '../../src/schema/encoder.js';

let paths: TestArtifacts;
let preRanker: PreRanker;
before(async () => {
  paths = await writeTestArtifacts();
  preRanker = await testPreRanker(paths, { k: 25 });
});
after(() => preRanker.close());

async function directScores(n: number): Promise<Float32Array> {
  const { context, candidates } = testSearch(n);
  const store = testStoreData(3000);
  const session = await ort.InferenceSession.create(readFileSync(join(paths.model, 'model.onnx')));
  const out = await session.run({
    user_age: new ort.Tensor('float32', Float32Array.of(context.user_age as number), [1, 1]),
    query_vec: new ort.Tensor('float32', Float32Array.from(context.query_vec as number[]), [1, 4]),
    item_vec: new ort.Tensor('float32', Float32Array.from(candidates.flatMap((c) => c.features?.item_vec as number[])), [n, 4]),
    item_price: new ort.Tensor('float32', Float32Array.from(candidates, (c) => store.get(c.item_id)?.item_price as number), [n, 1]),
    item_cat: new ort.Tensor('int32', Int32Array.from(candidates, (c) => fnv1a32(String(c.features?.item_cat)) % CAT_BUCKETS), [n]),
  });
  await session.release();
  return out.score.data as Float32Array;
}

test('top k and order match a direct ORT run for 1000 candidates', async () => {
  const expected = await directScores(1000);
  const want = Array.from(orderByScore(expected).subarray(0, 25), (i) => `i${i}`);
  const { preRank, search } = await runOnce(preRanker, testSearch(1000));
  assert.equal(preRank.path, 'model');
  assert.equal(preRank.candidatesIn, 1000);
  assert.equal(preRank.candidatesOut, 25);
  assert.deepEqual(search.candidates.map((c) => c.item_id), want);
  for (const c of search.candidates) assert.equal(c.preRankScore, expected[Number(c.item_id.slice(1))]);
});

test('orderByScore sorts descending, keeps input order on ties and puts NaN last', () => {
  const order = orderByScore(Float32Array.of(1, 3, NaN, 3, -2, 0, -0));
  assert.deepEqual([...order], [1, 3, 0, 5, 6, 4, 2]);
});

test('the record counts candidates in and out and the latency spans the model run (fake clock)', async () => {
  let now = 1000;
  const timed = await testPreRanker(paths, { k: 25 }, {
    now: () => now,
    runModel: async (pool, feeds, rows) => {
      const result = await pool.run(feeds, rows);
      now += 7.5; // the model run "takes" 7.5 ms on the fake clock
      return result;
    },
  });
  try {
    const { preRank } = await runOnce(timed, testSearch(7));
    assert.equal(preRank.path, 'model');
    assert.equal(preRank.candidatesIn, 7);
    assert.equal(preRank.candidatesOut, 7);
    assert.equal(preRank.k, 25);
    assert.equal(preRank.latencyMs, 7.5);
  } finally {
    await timed.close();
  }
});

test('orderByScore with a top-k selection agrees with the full sort on the first k (random scores, ties, NaN, -0, -Infinity)', () => {
  let seed = 7;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let t = 0; t < 300; t++) {
    const n = 1 + Math.floor(random() * 1200);
    const k = 1 + Math.floor(random() * n);
    const special = [NaN, -0, -Infinity];
    const scores = Float32Array.from({ length: n }, () => (random() < 0.15 ? special[Math.floor(random() * 3)] : Math.round(random() * 40) / 7 - 2));
    const full = orderByScore(scores);
    const part = orderByScore(scores, k);
    assert.deepEqual([...part.subarray(0, k)], [...full.subarray(0, k)], `n=${n} k=${k}`);
    assert.equal(part.length, k, 'only the kept order is materialised');
  }
});
