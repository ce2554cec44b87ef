// Shared set-up of the serving tests: artifacts in a temp dir, a pre-ranker on them, an Express app around it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { Express, Request, Response } from 'express';
import type { PreRankerHooks } from '../../src/serve/engine.js';
import { memoryItemStore } from '../../src/serve/item-store.js';
import type { PreRankerOptions } from '../../src/serve/options.js';
import { createPreRankerWithHooks } from '../../src/serve/pre-ranker.js';
import type { PreRanker, PreRankEventMap, SearchState } from '../../src/serve/types.js';
import { testCandidates, testContext, testStoreData, writeScorerArtifact, writeVectorArtifact } from './serve-models.js';

/** Paths of the test artifacts: two scorers (for reloads), a vector baseline and a corrupt copy. */
export interface TestArtifacts {
  readonly root: string;
  readonly model: string;
  readonly model2: string;
  readonly baseline: string;
}

/** Writes the test artifacts into a fresh temp dir. */
export async function writeTestArtifacts(): Promise<TestArtifacts> {
  const root = mkdtempSync(join(tmpdir(), 'autofas-serve-'));
  const paths = { root, model: join(root, 'model'), model2: join(root, 'model2'), baseline: join(root, 'baseline') };
  await Promise.all([writeScorerArtifact(paths.model, 1), writeScorerArtifact(paths.model2, 11), writeVectorArtifact(paths.baseline)]);
  return paths;
}

/** Records every coded log line. */
export function recordingLogger(): { warn(message: string, details?: Readonly<Record<string, unknown>>): void; lines: { message: string; code: string }[] } {
  const lines: { message: string; code: string }[] = [];
  return { lines, warn: (message, details) => void lines.push({ message, code: String(details?.code) }) };
}

/** A pre-ranker on the test artifacts with one worker and the test store. */
export function testPreRanker(paths: TestArtifacts, options: Partial<PreRankerOptions> = {}, hooks: PreRankerHooks = {}): Promise<PreRanker> {
  return createPreRankerWithHooks(
    { model: paths.model, baseline: paths.baseline, k: 10, workers: 1, timeoutMs: 10_000, itemStore: memoryItemStore(testStoreData(3000)), logger: recordingLogger(), ...options },
    hooks,
  );
}

/** Runs the middleware on a fresh request without HTTP; resolves with `res.locals` once `next` is called. */
export function runOnce(preRanker: PreRanker, search: Partial<SearchState> | Record<string, unknown>): Promise<{ search: SearchState; preRank: NonNullable<Record<string, unknown>> }> {
  const res = { locals: { search } } as unknown as Response;
  return new Promise((resolve, reject) => {
    let calls = 0;
    preRanker({} as Request, res, (err?: unknown) => {
      calls++;
      if (err || calls > 1) reject(err ?? new Error('next called twice'));
      else resolve(res.locals as never);
    });
  });
}

/** A standard request for the test models. */
export function testSearch(n: number, seed = 5): SearchState {
  return { context: testContext(), candidates: testCandidates(n, seed) };
}

/** An app: a matching hop that takes `{ context, candidates }` from the body, the pre-ranker, then an echo of the result. */
export function testApp(preRanker: PreRanker): Express {
  const app = express();
  app.use(express.json({ limit: '10mb' }));
  app.post('/search', (req, res, next) => {
    res.locals.search = { context: req.body.context, candidates: req.body.candidates };
    next();
  }, preRanker, (_req, res) => {
    const search = res.locals.search as SearchState;
    res.json({ preRank: res.locals.preRank, ids: Array.isArray(search.candidates) ? search.candidates.map((c) => c?.item_id) : null });
  });
  return app;
}

/** Collects the events of one kind. */
export function collect<E extends keyof PreRankEventMap>(preRanker: PreRanker, event: E): PreRankEventMap[E][0][] {
  const seen: PreRankEventMap[E][0][] = [];
  preRanker.events.on(event, ((info: PreRankEventMap[E][0]) => void seen.push(info)) as never);
  return seen;
}
