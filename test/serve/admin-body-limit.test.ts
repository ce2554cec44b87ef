// The admin router's own 4 KB body limit holds behind a host's global JSON parser, and its body errors are JSON.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import request from 'supertest';
import { preRankAdmin } from '../../src/serve/admin.js';
import { fakePreRanker, tempDir } from './ops-helpers.js';

const TOKEN = 'correct-horse-battery-staple';

function app(globalParserFirst: boolean): express.Express {
  const preRanker = fakePreRanker(async () => assert.fail('no reload may run'));
  const admin = preRankAdmin(preRanker, { token: TOKEN, modelsRoot: tempDir('admin-body') });
  const host = express();
  if (globalParserFirst) host.use(express.json({ limit: '64kb' }));
  return host.use('/admin', admin);
}

test('a 10 KB reload body is refused with 413 ERR_AUTOFAS_ADMIN_BODY with or without a global 64 KB parser before the router', async () => {
  const body = JSON.stringify({ dir: 'x'.repeat(10 * 1024) });
  for (const globalParserFirst of [false, true]) {
    for (const chunked of [false, true]) {
      const what = `global parser ${globalParserFirst}, chunked ${chunked}`;
      const res = chunked
        ? await postChunked(app(globalParserFirst), body)
        : await request(app(globalParserFirst)).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).set('content-type', 'application/json').send(body);
      assert.equal(res.status, 413, what);
      assert.deepEqual([res.body.error.status, res.body.error.code], [413, 'ERR_AUTOFAS_ADMIN_BODY'], what);
    }
  }
});

/** POSTs the body in two chunks with no content-length (transfer-encoding: chunked). */
async function postChunked(host: express.Express, body: string): Promise<{ status: number; body: { error: { status: number; code: string } } }> {
  const server = host.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/admin/reload', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } });
    req.write(body.slice(0, 100));
    req.end(body.slice(100));
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    let text = '';
    for await (const chunk of res) text += chunk;
    return { status: res.statusCode ?? 0, body: JSON.parse(text) };
  } finally {
    server.close();
  }
}

test('malformed JSON to the router is a JSON 400 ERR_AUTOFAS_ADMIN_BODY, not an HTML page', async () => {
  const res = await request(app(false)).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).set('content-type', 'application/json').send('{"dir":');
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'ERR_AUTOFAS_ADMIN_BODY');
  assert.doesNotMatch(res.text, /<html|node_modules/i);
});
