// The watcher reloads when a new artifact directory appears under the models root, once per version.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadArtifact } from '../../src/schema/artifact.js';
import { preRankAdmin } from '../../src/serve/admin.js';
import { watchModels } from '../../src/serve/watch.js';
import type { WatchReloadResult } from '../../src/serve/watch.js';
import { writeScorerArtifact } from '../helpers/serve-models.js';
import { fakePreRanker, tempDir } from './ops-helpers.js';

test('the artifact present at start is not reloaded; a new one is, a corrupt one is tried once', async () => {
  const root = tempDir('watch');
  await writeScorerArtifact(join(root, 'v1'), 1);
  const preRanker = fakePreRanker(async (dir) => (await loadArtifact(dir)).card);
  const watcher = watchModels(preRanker, { modelsRoot: root, debounceMs: 10_000 });
  try {
    assert.equal(await watcher.check(), null);
    const card = await writeScorerArtifact(join(root, 'v2'), 2);
    const result = await watcher.check();
    assert.deepEqual(result, { dir: join(root, 'v2'), ok: true, modelId: card.modelId });
    assert.equal(await watcher.check(), null, 'same version: no second reload');
    mkdirSync(join(root, 'v3'));
    writeFileSync(join(root, 'v3', 'model.json'), '{ broken');
    const bad = await watcher.check();
    assert.equal(bad?.ok, false);
    assert.equal((bad?.error as { code?: string }).code, 'ERR_AUTOFAS_MODEL_FILES');
    assert.equal(await watcher.check(), null, 'a corrupt artifact is not retried in a loop');
    assert.deepEqual(preRanker.reloads, [join(root, 'v2'), join(root, 'v3')]);
  } finally {
    watcher.close();
  }
});

test('fs.watch drives the reload when the searcher renames a finished artifact into place', async () => {
  const root = tempDir('watch-fs');
  await writeScorerArtifact(join(root, 'v1'), 1);
  const preRanker = fakePreRanker(async (dir) => (await loadArtifact(dir)).card);
  let done: (r: WatchReloadResult) => void = () => {};
  const reloaded = new Promise<WatchReloadResult>((resolve) => (done = resolve));
  const watcher = watchModels(preRanker, { modelsRoot: root, debounceMs: 0, onReload: done });
  try {
    await watcher.check(); // the start-up scan has finished
    await writeScorerArtifact(join(root, 'v2'), 2);
    // The watcher holds no ref on the loop (it must not keep a gateway alive); a watchdog keeps this test's loop up.
    const watchdog = setTimeout(() => assert.fail('no reload within 10 s of the rename'), 10_000);
    const result = await reloaded.finally(() => clearTimeout(watchdog));
    assert.equal(result.ok, true);
    assert.equal(result.dir, join(root, 'v2'));
  } finally {
    watcher.close();
  }
});

test("the admin router's watch option runs the same watcher over modelsRoot, stopped by close()", async () => {
  const root = tempDir('watch-admin');
  await writeScorerArtifact(join(root, 'v1'), 1);
  const preRanker = fakePreRanker(async (dir) => (await loadArtifact(dir)).card);
  const router = preRankAdmin(preRanker, { token: 'watch-token-0123456789', modelsRoot: root, watch: { debounceMs: 10_000 } });
  try {
    assert.ok(router.watcher);
    assert.equal(await router.watcher.check(), null);
    await writeScorerArtifact(join(root, 'v2'), 2);
    assert.equal((await router.watcher.check())?.ok, true);
    assert.deepEqual(preRanker.reloads, [join(root, 'v2')]);
  } finally {
    router.close();
  }
  await writeScorerArtifact(join(root, 'v3'), 3);
  assert.equal(await router.watcher.check(), null, 'closed: no more reloads');
});
