// Every option of every public factory refuses the helmet table of bad values (-1, NaN, Infinity, "1", null, {}, []) with ERR_AUTOFAS_OPTION naming it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDataset } from '../../src/search/data/dataset.js';
import { preRankAdmin } from '../../src/serve/admin.js';
import { createFlagEvaluator } from '../../src/serve/flags.js';
import { CODE_OPTION_NAMES, parseOptions, preRankerJsonOptionsSchema } from '../../src/serve/options.js';
import { RotatingLogSink } from '../../src/serve/log-sink.js';
import { preRankStatus } from '../../src/serve/status.js';
import { teacherLogger } from '../../src/serve/teacher-logger.js';
import { parseRedisStoreOptions } from '../../src/serve/redis-store-options.js';
import { TEST_SPEC } from '../helpers/serve-models.js';
import { goodRecord, smallSpec, writeLog } from '../search/dataset-helpers.js';
import { fakePreRanker, tempDir } from './ops-helpers.js';

const BAD: readonly unknown[] = [-1, Number.NaN, Infinity, '1', null, {}, []];
const preRanker = fakePreRanker(async () => assert.fail('no reload'));
const dir = tempDir('option-table');
const logs = writeLog('option-table.jsonl', [goodRecord(0)]);

/** factory -> how to build it with one option set, and its options with the bad values they legitimately accept. */
const FACTORIES: Record<string, { make: (o: Record<string, unknown>) => unknown; options: Record<string, readonly unknown[]> }> = {
  createPreRanker: {
    make: (o) => parseOptions({ model: '/models/current', ...o } as never),
    options: {
      ...Object.fromEntries(Object.keys(preRankerJsonOptionsSchema.shape).map((name) => [name, []])),
      // Directory paths: "1" is a valid (relative) path.
      model: ['1'], baseline: ['1'], featureSpec: ['1'],
      ...Object.fromEntries(CODE_OPTION_NAMES.map((name) => [name, []])),
    },
  },
  teacherLogger: {
    make: (o) => teacherLogger({ sink: { dir }, ...o }).close(),
    options: {
      sink: [{}], teacherScore: [], features: [], label: [], requestId: [], getState: [], isSampled: [], when: [], spec: [], recallTop: [],
    },
  },
  preRankAdmin: {
    make: (o) => preRankAdmin(preRanker, { modelsRoot: dir, ...o }).close(),
    options: { token: [], modelsRoot: ['1'], metrics: [], status: [], watch: [{}] },
  },
  RotatingLogSink: {
    make: (o) => new RotatingLogSink({ dir, checkIntervalMs: 0, ...o }).close(),
    // `dir` is left out: "1" is a valid relative directory and would be created in the working directory.
    options: { prefix: ['1'], gzip: [], maxBytes: [], maxAgeMs: [], maxQueueLines: [], maxQueueBytes: [], checkIntervalMs: [], clock: [], fileSystem: [] },
  },
  preRankStatus: {
    make: (o) => preRankStatus(preRanker, o).close(),
    options: { teacherLogger: [], windowMs: [], latencySamples: [], clock: [] },
  },
  createFlagEvaluator: {
    make: (o) => createFlagEvaluator(o),
    options: { client: [], domain: ['1'], defaults: [{}], maxK: [], onError: [] },
  },
  redisItemStore: {
    make: (o) => parseRedisStoreOptions({ featureSpec: TEST_SPEC, ...o }),
    options: { featureSpec: [], url: [], keyPrefix: ['1'], crossKeys: [{}], resolveCross: [], commandTimeoutMs: [], connectTimeoutMs: [], maxReconnectDelayMs: [], logger: [] },
  },
};

/** Why `run` did not give the expected coded TypeError naming `name`, or null when it did. */
function problem(name: string, run: () => unknown): string | null {
  try {
    run();
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code !== 'ERR_AUTOFAS_OPTION' || !(e instanceof TypeError)) return `threw ${e.code ?? e.name}: ${e.message}`;
    return e.message.includes(`\`${name}`) ? null : `does not name it: ${e.message}`;
  }
  return 'accepted';
}

const show = (v: unknown): string => (typeof v === 'number' ? String(v) : JSON.stringify(v));

for (const [factory, { make, options }] of Object.entries(FACTORIES)) {
  test(`${factory}: every option refuses ${BAD.map(show).join(', ')}`, () => {
    const problems: string[] = [];
    for (const [name, accepted] of Object.entries(options)) {
      for (const value of BAD.filter((v) => !accepted.some((a) => show(a) === show(v)))) {
        const why = problem(name, () => make({ [name]: value }));
        if (why) problems.push(`${name}: ${show(value)} ${why}`);
      }
    }
    assert.deepEqual(problems, []);
  });
}

test('loadDataset: every option refuses the bad-value table', async () => {
  const problems: string[] = [];
  for (const name of ['skipBadLines', 'strict', 'maxReportedErrors', 'itemIds', 'onProgress', 'progressEvery']) {
    for (const value of BAD) {
      const err = await loadDataset([logs], smallSpec, { [name]: value } as never).then(() => null, (e: unknown) => e);
      const why = problem(name, () => { if (err) throw err; });
      if (why) problems.push(`${name}: ${show(value)} ${why}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('RotatingLogSink: a fileSystem missing rename or unlink is refused, naming it', () => {
  const open = async () => ({});
  for (const fileSystem of [{ open }, { open, rename: open }, { open, unlink: open }]) {
    assert.equal(problem('fileSystem', () => new RotatingLogSink({ dir, checkIntervalMs: 0, fileSystem } as never).close()), null, JSON.stringify(Object.keys(fileSystem)));
  }
});
