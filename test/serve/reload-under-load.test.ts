// Hot reloads through POST /reload while requests are in flight: no request fails or falls back, each is served by a whole model.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { preRankAdmin } from '../../src/serve/admin.js';
import { collect, testApp, testPreRanker, testSearch, writeTestArtifacts } from '../helpers/serve-app.js';

const TOKEN = 'reload-token-0123456789';

test('alternating reloads under concurrent requests: every request answered by the model path of one of the two models', async () => {
  const paths = await writeTestArtifacts();
  // A generous timeout and queue: on a busy test machine a slow run must not count as a reload problem.
  const preRanker = await testPreRanker(paths, { workers: 2, timeoutMs: 10_000, maxQueue: 1000 });
  const fallbacks = collect(preRanker, 'fallback');
  const app = testApp(preRanker).use('/admin', preRankAdmin(preRanker, { token: TOKEN, modelsRoot: paths.root }));
  const server = app.listen(0);
  after(async () => {
    server.close();
    await preRanker.close();
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const body = testSearch(300);
  const ids = new Set<string>();
  const search = async (): Promise<void> => {
    const res = await request(base).post('/search').send(body).expect(200);
    assert.equal(res.body.preRank.path, 'model', `fell back: ${JSON.stringify(res.body.preRank)}`);
    assert.equal(res.body.ids.length, 10);
    ids.add(res.body.preRank.modelId);
  };
  const reloaded: string[] = [];
  for (let round = 0; round < 6; round++) {
    const dir = round % 2 === 0 ? 'model2' : 'model';
    const load = Array.from({ length: 40 }, () => search());
    const swap = request(base).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).send({ dir }).expect(200);
    const [res] = await Promise.all([swap, ...load]);
    reloaded.push((res as { body: { modelId: string } }).body.modelId);
  }
  assert.deepEqual(fallbacks, [], 'no request fell back during the swaps');
  assert.equal(new Set(reloaded).size, 2);
  for (const id of ids) assert.ok(reloaded.includes(id), `served by an unknown model ${id}`);
  const last = await request(base).post('/search').send(body).expect(200);
  assert.equal(last.body.preRank.modelId, reloaded[reloaded.length - 1]);
});
