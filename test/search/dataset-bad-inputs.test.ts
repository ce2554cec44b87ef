// A table of malformed teacher logs: each must stop the load with its error code at the right line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadDataset } from '../../src/search/data/dataset.js';
import { goodRecord, smallSpec, writeLog, writeRaw } from './dataset-helpers.js';

type Rec = Record<string, any>;

/** Good lines 1-2, then line 3 modified by `mutate` (an object to JSON-encode or a raw string). */
function withBadThirdLine(mutate: (r: Rec) => Rec | string): (string | object)[] {
  return [goodRecord(1), goodRecord(2), mutate(goodRecord(3)), goodRecord(4)];
}

const setCandidateFeature = (name: string, value: unknown) => (r: Rec) => ((r.candidates[1].features[name] = value), r);

const cases: { name: string; lines: (string | object)[]; code: string; line: number; field?: string; strict?: boolean }[] = [
  { name: 'NaN token', lines: withBadThirdLine((r) => JSON.stringify(r).replace('"match":3', '"match":NaN')), code: 'ERR_AUTOFAS_LOG_PARSE', line: 3 },
  { name: 'Infinity token', lines: withBadThirdLine((r) => JSON.stringify(r).replace('"match":3', '"match":Infinity')), code: 'ERR_AUTOFAS_LOG_PARSE', line: 3 },
  { name: 'overflowing number (parses to Infinity)', lines: withBadThirdLine((r) => JSON.stringify(r).replace('"match":3.1', '"match":1e999')), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'candidates[1].features.match' },
  { name: 'wrong type (string for numeric)', lines: withBadThirdLine(setCandidateFeature('ctr_7d', 'abc')), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'candidates[1].features.ctr_7d' },
  { name: 'wrong type (float for categorical)', lines: withBadThirdLine(setCandidateFeature('brand', 1.5)), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'candidates[1].features.brand' },
  { name: 'wrong vector length', lines: withBadThirdLine(setCandidateFeature('item_vec', [1, 2, 3])), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'candidates[1].features.item_vec' },
  { name: 'non-number inside a vector', lines: withBadThirdLine((r) => ((r.context.user_vec = [1, '2', 3]), r)), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'context.user_vec' },
  { name: 'unknown candidate feature (strict)', lines: withBadThirdLine(setCandidateFeature('ctr_30d', 0.2)), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'candidates[1].features.ctr_30d', strict: true },
  { name: 'unknown context feature (strict)', lines: withBadThirdLine((r) => ((r.context.city = 'x'), r)), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'context.city', strict: true },
  { name: 'context feature logged per candidate', lines: withBadThirdLine(setCandidateFeature('user_vec', [1, 2, 3])), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'candidates[1].features.user_vec' },
  { name: 'missing request_id', lines: withBadThirdLine((r) => ((delete r.request_id), r)), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'request_id' },
  { name: 'missing candidates', lines: withBadThirdLine((r) => ((delete r.candidates), r)), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'candidates' },
  { name: 'missing item_id', lines: withBadThirdLine((r) => ((delete r.candidates[2].item_id), r)), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'candidates[2].item_id' },
  { name: 'missing teacher_score', lines: withBadThirdLine((r) => ((delete r.candidates[0].teacher_score), r)), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'candidates[0].teacher_score' },
  { name: 'teacher_score as string', lines: withBadThirdLine((r) => ((r.candidates[0].teacher_score = '1'), r)), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'candidates[0].teacher_score' },
  { name: 'label as string', lines: withBadThirdLine((r) => ((r.candidates[0].label = 'yes'), r)), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'candidates[0].label' },
  { name: 'candidates not an array', lines: withBadThirdLine((r) => ((r.candidates = {}), r)), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3, field: 'candidates' },
  { name: 'line is an array', lines: withBadThirdLine(() => '[1,2]'), code: 'ERR_AUTOFAS_LOG_FIELD', line: 3 },
  { name: 'truncated last line', lines: [goodRecord(1), goodRecord(2), JSON.stringify(goodRecord(3)).slice(0, 60)], code: 'ERR_AUTOFAS_LOG_PARSE', line: 3 },
];

for (const c of cases) {
  for (const ext of ['jsonl', 'jsonl.gz']) {
    test(`bad input: ${c.name} (.${ext}) -> ${c.code} at line ${c.line}`, async () => {
      const path = writeLog(`${c.name.replace(/\W+/g, '_')}.${ext}`, c.lines);
      await assert.rejects(loadDataset([path], smallSpec, { strict: c.strict ?? false }), (err: any) => {
        assert.equal(err.code, c.code);
        assert.equal(err.details.line, c.line);
        assert.equal(err.details.file, path);
        assert.ok(err.message.startsWith(`${path} line ${c.line}: `), err.message);
        if (c.field) assert.ok(err.message.includes(`: ${c.field}: `), err.message);
        return true;
      });
    });
  }
}

test('bad input: the message names file, line, field and the bad value', async () => {
  const path = writeLog('logs.jsonl', withBadThirdLine(setCandidateFeature('ctr_7d', 'abc')));
  await assert.rejects(loadDataset([path], smallSpec), (err: any) => {
    assert.equal(err.message, `${path} line 3: candidates[1].features.ctr_7d: expected number, got "abc"`);
    return true;
  });
});

/** A directory beside the temp logs. */
function makeDir(name: string): string {
  const path = join(dirname(writeRaw('anchor.jsonl', '')), name);
  mkdirSync(path, { recursive: true });
  return path;
}

const fileCases: { name: string; make: () => string; code: string }[] = [
  { name: 'empty file', make: () => writeRaw('empty.jsonl', ''), code: 'ERR_AUTOFAS_LOG_EMPTY' },
  { name: 'blank lines only', make: () => writeRaw('blank.jsonl', '\n\n  \n'), code: 'ERR_AUTOFAS_LOG_EMPTY' },
  { name: 'empty gzip file', make: () => writeRaw('empty.jsonl.gz', gzipSync('')), code: 'ERR_AUTOFAS_LOG_EMPTY' },
  { name: 'not gzip but named .gz', make: () => writeRaw('plain.jsonl.gz', JSON.stringify(goodRecord(1))), code: 'ERR_AUTOFAS_LOG_GZIP' },
  {
    name: 'truncated gzip stream',
    make: () => {
      const gz = gzipSync([1, 2, 3, 4, 5].map((i) => JSON.stringify(goodRecord(i, 50))).join('\n'));
      return writeRaw('cut.jsonl.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    },
    code: 'ERR_AUTOFAS_LOG_GZIP',
  },
  { name: 'corrupt gzip body', make: () => writeRaw('junk.jsonl.gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(64, 0xab)])), code: 'ERR_AUTOFAS_LOG_GZIP' },
  { name: 'missing file', make: () => '/nonexistent/autofas/logs.jsonl', code: 'ERR_AUTOFAS_LOG_READ' },
  { name: 'missing file named .gz', make: () => '/nonexistent/autofas/logs.jsonl.gz', code: 'ERR_AUTOFAS_LOG_READ' },
  { name: 'a directory', make: () => makeDir('logs'), code: 'ERR_AUTOFAS_LOG_READ' },
  { name: 'a directory named .gz', make: () => makeDir('logs.jsonl.gz'), code: 'ERR_AUTOFAS_LOG_READ' },
];

for (const c of fileCases) {
  test(`bad file: ${c.name} -> ${c.code} naming the path`, async () => {
    const path = c.make();
    await assert.rejects(loadDataset([path], smallSpec), (err: any) => {
      assert.equal(err.code, c.code);
      assert.equal(err.details.file ?? path, path);
      assert.ok(err.message.includes(path), err.message);
      return true;
    });
  });
}

test('bad file: an empty file among good ones still fails, naming that file', async () => {
  const good = writeLog('good.jsonl', [goodRecord(1)]);
  const empty = writeRaw('empty2.jsonl', '');
  await assert.rejects(loadDataset([good, empty], smallSpec), (err: any) => {
    assert.equal(err.code, 'ERR_AUTOFAS_LOG_EMPTY');
    assert.equal(err.details.file, empty);
    return true;
  });
});
