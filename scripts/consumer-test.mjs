// Consumer test (`npm run test:consumer`, run by .ci/run after `npm test`): packs the tarball, checks it against the
// size budget and file list, installs it into two fresh projects (Express 4 with the `.npmrc` line, Express 5 with the
// environment variable; both skip onnxruntime-node's CUDA download the way the README says), type-checks a TypeScript
// consumer (`skipLibCheck: false`, `moduleResolution: node16`) around the README's mount snippet, searches a model with
// the installed `npx autofas`, starts the gateway and checks a `POST /search` answer on `path: "model"`; then runs the
// same snippet on a model that reads store features and expects the coded start-up refusal naming them.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CONSUMER_FILES = join(REPO, 'scripts', 'consumer');
// Room for growth of the code, but not for source maps (+1 file per module) or fixture logs and models (MBs).
const BUDGET = { packedBytes: 400_000, unpackedBytes: 1_300_000, files: 450 };
/** Every shipped path matches one of these; anything else (source maps, tests, fixture logs, models) fails. */
const ALLOWED = [/^dist\/src\/.+\.(js|d\.ts)$/, /^fixtures\/latency\/default\.json$/, /^dashboards\/[a-z-]+\.json$/, /^docs\/[a-z-]+\.md$/, /^(package\.json|README\.md|LICENSE|plugin\.manifest\.json)$/];
const REQUIRED = ['LICENSE', 'README.md', 'package.json', 'plugin.manifest.json', 'fixtures/latency/default.json', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/src/serve/score-worker.js', 'dist/src/search/index.d.ts'];
const ADMIN_TOKEN = 'consumer-test-admin-token';
const K = 100; // the README snippet's k

/** The environment of a fresh shell: nothing inherited from an enclosing `npm run` (its project config included). */
function cleanEnv(extra = {}) {
  const keep = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig', 'npm_config_proxy', 'npm_config_https_proxy', 'npm_config_noproxy', 'npm_config_cafile', 'npm_config_strict_ssl']);
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('onnxruntime_node_install')) continue;
    if (lower.startsWith('npm_') && !keep.has(lower)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function run(cmd, args, cwd, env = cleanEnv()) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const line = `$ ${cmd} ${args.join(' ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`;
  console.log(line);
  if (r.status !== 0) throw new Error(`${line} failed with ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function packTarball(dest) {
  const out = run('npm', ['pack', '--json', '--pack-destination', dest], REPO);
  const [pack] = JSON.parse(out.slice(out.indexOf('[')));
  const paths = pack.files.map((f) => f.path);
  const stray = paths.filter((p) => !ALLOWED.some((re) => re.test(p)));
  assert.deepEqual(stray, [], 'files outside the package allow-list');
  assert.deepEqual(REQUIRED.filter((p) => !paths.includes(p)), [], 'required files missing from the tarball');
  assert.ok(pack.size <= BUDGET.packedBytes, `tarball is ${pack.size} bytes, budget ${BUDGET.packedBytes}`);
  assert.ok(pack.unpackedSize <= BUDGET.unpackedBytes, `unpacked size ${pack.unpackedSize} bytes, budget ${BUDGET.unpackedBytes}`);
  assert.ok(paths.length <= BUDGET.files, `${paths.length} files, budget ${BUDGET.files}`);
  console.log(`tarball ${pack.filename}: ${pack.size} bytes packed, ${pack.unpackedSize} unpacked, ${paths.length} files (budget ${JSON.stringify(BUDGET)})`);
  return join(dest, pack.filename);
}

/** The README's mount snippet: the first ts block of "## Mount it in your gateway". */
function readmeSnippet() {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Mount it in your gateway'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(match, 'README has no ts block under "## Mount it in your gateway"');
  return match[1];
}

/** A fresh project with the tarball, one Express major and only the peers plus what a TypeScript consumer has. */
function installProject(root, tarball, expressMajor, skipWith) {
  const dir = join(root, `express-${expressMajor}`);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-express-${expressMajor}`, private: true, type: 'module' }, null, 2));
  const env = skipWith === 'npmrc' ? cleanEnv() : cleanEnv({ ONNXRUNTIME_NODE_INSTALL: 'skip' });
  if (skipWith === 'npmrc') writeFileSync(join(dir, '.npmrc'), 'onnxruntime-node-install=skip\n');
  const typescript = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).devDependencies.typescript;
  const deps = [tarball, `express@^${expressMajor}`, `@types/express@^${expressMajor}`, 'prom-client', `typescript@${typescript}`, '@types/node@^20'];
  run('npm', ['install', '--no-audit', '--no-fund', ...deps], dir, env);
  const cuda = join(dir, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so');
  assert.ok(!existsSync(cuda), `onnxruntime-node's CUDA download ran despite ${skipWith}`);
  const installed = JSON.parse(readFileSync(join(dir, 'node_modules/express/package.json'), 'utf8')).version;
  assert.equal(Number(installed.split('.')[0]), expressMajor, `express ${installed} installed`);
  assert.ok(!existsSync(join(dir, 'node_modules/autofas/node_modules/express')), 'autofas brought its own express');
  assert.ok(!existsSync(join(dir, 'node_modules/autofas/node_modules/prom-client')), 'autofas brought its own prom-client');
  for (const file of ['hops.ts', 'types-check.ts']) cpSync(join(CONSUMER_FILES, file), join(dir, 'src', file));
  for (const file of ['tsconfig.json', 'tsconfig.search.json', 'search-check']) cpSync(join(CONSUMER_FILES, file), join(dir, file), { recursive: true });
  writeFileSync(join(dir, 'src', 'gateway.ts'), readmeSnippet());
  for (const types of ['@types/opossum', '@types/cli-progress']) assert.ok(!existsSync(join(dir, 'node_modules', types)), `${types} was installed`);
  run('npx', ['tsc', '-p', '.'], dir);
  run('npx', ['tsc', '-p', 'tsconfig.search.json'], dir);
  return dir;
}

/** Teacher logs and a feature spec with only request-source features: every feature rides on the request. */
function requestOnlyWorld(world, out) {
  const spec = JSON.parse(readFileSync(join(world, 'features.json'), 'utf8'));
  const store = new Set(spec.features.filter((f) => f.source === 'store').map((f) => f.name));
  writeFileSync(join(out, 'features.json'), JSON.stringify({ ...spec, features: spec.features.filter((f) => !store.has(f.name)) }, null, 2));
  const keep = (o) => Object.fromEntries(Object.entries(o).filter(([name]) => !store.has(name)));
  const records = gunzipSync(readFileSync(join(world, 'logs.jsonl.gz'))).toString('utf8').split('\n').filter(Boolean).map((line) => {
    const r = JSON.parse(line);
    return { ...r, context: keep(r.context), candidates: r.candidates.map((c) => ({ ...c, features: keep(c.features) })) };
  });
  writeFileSync(join(out, 'logs.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return records;
}

/** `npx autofas fixtures` + `npx autofas search` from the installed package, into models/current. */
function searchModel(dir) {
  const version = run('npx', ['autofas', '--version'], dir).trim();
  assert.equal(version, JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version, 'autofas --version');
  run('npx', ['autofas', 'fixtures', '--requests', '40', '--min-candidates', '120', '--max-candidates', '200', '--quiet', '--out', 'world'], dir);
  mkdirSync(join(dir, 'request-world'));
  const records = requestOnlyWorld(join(dir, 'world'), join(dir, 'request-world'));
  run('npx', ['autofas', 'search', '--logs', 'request-world/logs.jsonl', '--features', 'request-world/features.json', '--budget-us', '800',
    '--epochs', '2', '--retrain-epochs', '2', '--quiet', '--no-report', '--out', 'models/current'], dir);
  return records;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts `node dist/gateway.js`; resolves once /autofas/healthz answers, rejects with its output if it exits first. */
async function startGateway(dir) {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/gateway.js'], { cwd: dir, env: cleanEnv({ PORT: String(port), AUTOFAS_ADMIN_TOKEN: ADMIN_TOKEN }) });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  for (const started = Date.now(); Date.now() - started < 60_000; ) {
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 250))]);
    if (code !== undefined) return { base, child, exit: { code, output } };
    const health = await fetch(`${base}/autofas/healthz`).catch(() => null);
    if (health?.ok) return { base, child, exit: null };
  }
  child.kill();
  throw new Error(`gateway did not become healthy in 60 s:\n${output}`);
}

async function checkGateway(dir, record) {
  const { base, child, exit } = await startGateway(dir);
  assert.equal(exit, null, `gateway exited at start-up: ${exit?.output}`);
  try {
    const res = await fetch(`${base}/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ context: record.context, candidates: record.candidates }) });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.preRank.path, 'model', `answer: ${JSON.stringify(body.preRank)}`);
    assert.equal(body.preRank.candidatesIn, record.candidates.length);
    assert.equal(body.preRank.candidatesOut, Math.min(K, record.candidates.length));
    assert.ok(body.results.length > 0 && body.results.every((r) => typeof r.preRankScore === 'number'));
    const health = await (await fetch(`${base}/autofas/healthz`)).json();
    assert.equal(health.modelId, body.preRank.modelId);
    const reload = await fetch(`${base}/autofas/reload`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ dir: 'current' }) });
    assert.equal(reload.status, 200, `reload: ${await reload.clone().text()}`);
    console.log(`POST /search: path ${body.preRank.path}, model ${body.preRank.modelId}, ${body.preRank.candidatesIn} -> ${body.preRank.candidatesOut}`);
  } finally {
    child.kill();
  }
}

/** The same snippet on a model that reads store features and no itemStore: refused at start-up, naming them. */
async function checkStoreRefusal(dir) {
  const storeModel = join(REPO, 'fixtures', 'model');
  const card = JSON.parse(readFileSync(join(storeModel, 'model.json'), 'utf8'));
  const needed = card.inputs.filter((i) => i.feature.source === 'store' && i.feature.side !== 'context').map((i) => i.feature.name);
  assert.ok(needed.length > 0, 'fixtures/model reads no store features');
  rmSync(join(dir, 'models'), { recursive: true });
  cpSync(storeModel, join(dir, 'models', 'current'), { recursive: true });
  const { exit, child } = await startGateway(dir);
  if (!exit) child.kill();
  assert.ok(exit && exit.code !== 0, 'the gateway started on a store-feature model without an item store');
  assert.match(exit.output, /ERR_AUTOFAS_STORE_FEATURES/);
  for (const name of needed) assert.ok(exit.output.includes(name), `refusal does not name ${name}: ${exit.output}`);
  console.log(`store-feature model refused at start-up, naming ${needed.join(', ')}`);
}

async function main() {
  const root = mkdtempSync(join(tmpdir(), 'autofas-consumer-'));
  try {
    const tarball = packTarball(root);
    const express4 = installProject(root, tarball, 4, 'npmrc');
    const records = searchModel(express4);
    const request = records[0];
    await checkGateway(express4, request);
    const express5 = installProject(root, tarball, 5, 'env');
    cpSync(join(express4, 'models'), join(express5, 'models'), { recursive: true });
    await checkGateway(express5, request);
    await checkStoreRefusal(express5);
    console.log('consumer test: ok');
  } finally {
    if (!process.env.KEEP_CONSUMER_DIR) rmSync(root, { recursive: true, force: true });
    else console.log(`kept ${root}`);
  }
}

await main();
