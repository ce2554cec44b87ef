// The closed loop end to end: demo gateway -> teacher logs -> `autofas search` -> new artifact -> POST /autofas/reload -> served.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import request from 'supertest';
import { loadArtifact } from '../../src/schema/artifact.js';
import { loadFeatureSpec } from '../../src/schema/feature-spec.js';
import type { FeatureSpec } from '../../src/schema/feature-spec.js';
import type { ModelCard } from '../../src/schema/model-card.js';
import { loadDataset } from '../../src/search/data/dataset.js';
import { RotatingLogSink } from '../../src/serve/log-sink.js';
import { staticFlags } from '../../src/serve/static-flags.js';
import { createGatewayApp } from '../../examples/gateway/app.js';
import type { Gateway } from '../../examples/gateway/app.js';
import { logFiles, tempDir } from '../serve/ops-helpers.js';

const SPEC = fileURLToPath(new URL('../../../fixtures/world/features.json', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const TOKEN = 'closed-loop-token-0123456789';
const run = promisify(execFile);

/** 40 sampled searches through the gateway; returns the finished log files. */
async function logTraffic(gateway: Gateway, sink: RotatingLogSink, dir: string): Promise<string[]> {
  for (let i = 0; i < 40; i++) {
    const body = { user_id: `user-${String(i % 20).padStart(4, '0')}`, query: `query-${String((i * 7) % 50).padStart(3, '0')}` };
    const res = await request(gateway.app).post('/search').set('X-Request-Id', `loop-${i}`).send(body).expect(200);
    assert.equal(res.body.preRank.teacherLogged, true);
  }
  await gateway.teacherLogger?.flush();
  await sink.close();
  const files = logFiles(dir);
  assert.ok(files.length >= 1 && files.every((f) => f.endsWith('.jsonl.gz')));
  return files;
}

/** Loads the logs (checking they hold every row and real store values), runs `autofas search` on them into `out`. */
async function searchLogs(files: string[], spec: FeatureSpec, out: string): Promise<ModelCard> {
  const { dataset, report } = await loadDataset(files, spec);
  assert.equal(report.skipped, 0);
  assert.equal(dataset.requests, 40);
  assert.equal(dataset.rows, 40 * 200);
  const storeColumn = dataset.columns.get('item_quality') as Float32Array;
  assert.ok(new Set(storeColumn.slice(0, 200)).size > 1, 'store features reached the log (not just their defaults)');
  const cli = await run(process.execPath, [CLI, 'search', '--logs', ...files, '--features', SPEC, '--out', out,
    '--epochs', '1', '--retrain-epochs', '1', '--widths', '16', '--mixops', '1', '--seed', '3', '--quiet', '--no-report']);
  const card = (await loadArtifact(out)).card;
  assert.ok(cli.stdout.includes(card.modelId), cli.stdout);
  return card;
}

test('logs written by the demo gateway feed the searcher; its model is hot-reloaded and served', async () => {
  const root = tempDir('loop');
  const modelsRoot = join(root, 'models');
  const spec = await loadFeatureSpec(SPEC);
  const sink = new RotatingLogSink({ dir: join(root, 'logs'), checkIntervalMs: 0 });
  const gateway = await createGatewayApp({
    candidates: 200,
    // A loaded CI box can take longer than the default 50 ms for a run; this test is about the loop, not the deadline.
    preRank: { flags: staticFlags({ teacherLogRate: 1 }), workers: 1, timeoutMs: 10_000 },
    teacherLog: { sink, spec },
    admin: { token: TOKEN, modelsRoot: root },
  });
  after(() => gateway.close());
  const startId = gateway.preRanker.models().model?.modelId;

  // 1. Traffic through the gateway; every request is sampled, so none is truncated and all are logged.
  const files = await logTraffic(gateway, sink, join(root, 'logs'));
  // 2. `autofas search` reads the gateway's log as is and writes a new artifact atomically under the models root.
  const card = await searchLogs(files, spec, join(modelsRoot, 'searched-1'));
  assert.notEqual(card.modelId, startId);

  // 3. Hot reload through the admin router; the next search is served by the new model.
  const reloaded = await request(gateway.app).post('/autofas/reload').set('Authorization', `Bearer ${TOKEN}`).send({ dir: 'models/searched-1' }).expect(200);
  assert.equal(reloaded.body.modelId, card.modelId);
  const model = await request(gateway.app).get('/autofas/model').expect(200);
  assert.equal(model.body.model.modelId, card.modelId);
  const served = await request(gateway.app).post('/search').send({ user_id: 'user-0001', query: 'query-042' }).expect(200);
  assert.equal(served.body.preRank.modelId, card.modelId);
  assert.equal(served.body.preRank.path, 'model');
});
