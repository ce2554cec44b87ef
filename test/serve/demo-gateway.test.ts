// The demo gateway answers POST /search through matching, the pre-ranker and the teacher ranking hop.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { createGatewayApp } from '../../examples/gateway/app.js';
import type { Gateway } from '../../examples/gateway/app.js';

let gateway: Gateway;
before(async () => {
  gateway = await createGatewayApp({ candidates: 500, preRank: { workers: 1, timeoutMs: 10_000 } });
});
after(() => gateway.close());

test('POST /search returns the top results of the ranking hop and the pre-rank record', async () => {
  const res = await request(gateway.app).post('/search').send({ user_id: 'user-0001', query: 'query-042', k: 5 });
  assert.equal(res.status, 200);
  assert.equal(res.body.results.length, 5);
  assert.equal(res.body.preRank.path, 'model');
  assert.equal(res.body.preRank.candidatesIn, 500);
  assert.equal(res.body.preRank.candidatesOut, 100);
  const scores = res.body.results.map((r: { score: number }) => r.score);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
  assert.ok(res.body.results.every((r: { preRankScore: unknown }) => typeof r.preRankScore === 'number'));
});

test('an unknown user or query is a 400 from the gateway, not from the plugin', async () => {
  const before = gateway.preRanker.stats().requests;
  for (const body of [{ user_id: 'nobody', query: 'query-042' }, { user_id: 'user-0001', query: 'no-such-query' }, {}]) {
    const res = await request(gateway.app).post('/search').send(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.deepEqual([res.body.error.status, res.body.error.code], [400, 'ERR_GATEWAY_UNKNOWN_REQUEST']);
    assert.equal(res.body.preRank, undefined);
  }
  assert.equal(gateway.preRanker.stats().requests, before, 'the pre-ranker never saw them');
});

test('malformed JSON, a 10 MB body and an unknown route are JSON errors with a status and a code, never a stack trace', async () => {
  const cases = [
    { send: () => request(gateway.app).post('/search').set('content-type', 'application/json').send('{"user_id": '), status: 400, code: 'ERR_GATEWAY_BAD_JSON' },
    { send: () => request(gateway.app).post('/search').set('content-type', 'application/json').send(`{"pad":"${'x'.repeat(10 * 1024 * 1024)}"}`), status: 413, code: 'ERR_GATEWAY_BODY_TOO_LARGE' },
    { send: () => request(gateway.app).get('/nowhere'), status: 404, code: 'ERR_GATEWAY_NOT_FOUND' },
  ];
  for (const { send, status, code } of cases) {
    const res = await send();
    assert.equal(res.status, status, code);
    assert.match(res.get('content-type') ?? '', /^application\/json/, code);
    assert.deepEqual([res.body.error.status, res.body.error.code], [status, code]);
    assert.doesNotMatch(res.text, /node_modules|\bat \w|<html|<pre/i, `${code}: no stack trace, no HTML`);
  }
});
