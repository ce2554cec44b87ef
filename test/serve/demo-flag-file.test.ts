// The demo loop reads its flags from a JSON file through the flagd provider and follows edits without a restart.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import request from 'supertest';
import { readFlagFile, startDemoLoop } from '../../examples/gateway/demo-loop.js';
import { tempDir } from './ops-helpers.js';

const USERS = Array.from({ length: 16 }, (_, i) => `user-${String(i * 7).padStart(4, '0')}`);

test('the default flag file splits users between both arms, sticky; moving the split in the file moves them without a restart', { timeout: 120_000 }, async (t) => {
  const varDir = tempDir('demo-flags');
  const loop = await startDemoLoop({ varDir, token: 'demo-flags-token-0123456789', gateway: { candidates: 150, preRank: { workers: 1, timeoutMs: 10_000 } } });
  t.after(() => loop.close());
  assert.equal(loop.flagsFile, join(varDir, 'flags.json'), 'the default flag file is copied into the var directory');
  const arms = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const user_id of USERS) out.push((await request(loop.gateway.app).post('/search').send({ user_id, query: 'query-007' }).expect(200)).body.preRank.arm);
    return out;
  };
  const first = await arms();
  assert.ok(first.includes('autofas') && first.includes('baseline'), `both arms get users: ${first}`);
  assert.deepEqual(await arms(), first, 'sticky: each user stays on its arm');

  const flags = readFileSync(loop.flagsFile, 'utf8').replace('[["autofas", 50], ["baseline", 50]]', '[["autofas", 0], ["baseline", 100]]');
  assert.match(flags, /\["baseline", 100\]/);
  writeFileSync(loop.flagsFile, flags);
  // flagd's file mode re-reads the file on its own 5 s poll (real time, not fakeable: fs.watchFile); the test reads it
  // at once the same way instead of waiting for that poll. The running gateway follows without a restart.
  await readFlagFile(loop.flagsFile);
  const now = await arms();
  assert.deepEqual(now, USERS.map(() => 'baseline'));
});
