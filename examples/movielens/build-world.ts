// Builds the MovieLens pre-ranking world: features.json, a teacher (ranking model) trained on later ratings with
// every feature, and teacher logs (one request per user, scored by that teacher) as logs.jsonl.gz.
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { createSession } from '../../src/graph/runtime.js';
import { loadArtifact, writeArtifact } from '../../src/schema/artifact.js';
import { parseFeatureSpec, type FeatureSpec } from '../../src/schema/feature-spec.js';
import { baselineArtifact, trainBaseline } from '../../src/search/baselines/index.js';
import { DatasetBuilder } from '../../src/search/data/dataset-builder.js';
import { splitByRequest } from '../../src/search/data/dataset.js';
import type { Dataset } from '../../src/search/data/dataset-types.js';
import { scoreArtifactRows } from '../../src/search/evaluate/score-artifact.js';
import { createRng, type Rng } from '../../src/util/random.js';
import { loadMovieLens, type MovieLens } from './data.js';
import { buildHistory, candidateFeatures, movieLensSpec, userContext, type History } from './features.js';

export interface WorldOptions {
  /** Candidates per request (user). */
  readonly candidates: number;
  /** At most this many of the user's later-rated movies among the candidates (the matching hop's hits). */
  readonly maxFuture: number;
  /** Users (requests) in the logs; all when larger than the data. */
  readonly users: number;
  readonly teacherEpochs: number;
  readonly seed: number;
}

interface Rec {
  request_id: string;
  context: Record<string, unknown>;
  candidates: { item_id: string; features: Record<string, unknown>; teacher_score: number; label: number }[];
}

function toDataset(spec: FeatureSpec, records: readonly Rec[]): Dataset {
  const builder = new DatasetBuilder(spec, false);
  for (const r of records) {
    const problem = builder.add(r);
    if (problem) throw new Error(`${r.request_id}: ${problem.field}: ${problem.message}`);
  }
  return builder.finish();
}

function unseen(ml: MovieLens, h: History, user: string, count: number, rng: Rng, exclude: Set<string>): string[] {
  const seen = new Set([...(h.history.get(user) ?? []), ...exclude]);
  const ids = [...ml.movies.keys()];
  const out: string[] = [];
  for (let tries = 0; out.length < count && tries < count * 20; tries++) {
    const id = ids[rng.int(ids.length)];
    if (!seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}

function record(ml: MovieLens, h: History, user: string, items: readonly string[]): Rec {
  const future = h.future.get(user) ?? new Map<string, number>();
  return {
    request_id: `user-${user}`,
    context: userContext(ml, h, user),
    candidates: items.map((item) => ({
      item_id: item,
      features: candidateFeatures(ml, h, user, item),
      teacher_score: (future.get(item) ?? 0) >= 4 ? 1 : 0,
      label: (future.get(item) ?? 0) >= 4 ? 1 : 0,
    })),
  };
}

/** The teacher: an MLP over every feature trained on later ratings (liked = rated >= 4; unrated = not liked). */
async function trainTeacher(ml: MovieLens, h: History, spec: FeatureSpec, options: WorldOptions, dir: string, log: (s: string) => void) {
  const rng = createRng(options.seed + 17);
  const records = [...h.future.keys()].map((user) => {
    const rated = [...(h.future.get(user) as Map<string, number>).keys()];
    return record(ml, h, user, [...rated, ...unseen(ml, h, user, 2 * rated.length, rng, new Set(rated))]);
  });
  const data = toDataset(spec, records);
  const split = splitByRequest(data, { train: 0.9, validation: 0.1, test: 0 }, options.seed);
  const trained = await trainBaseline(split.train, {
    kind: 'dnn-all', layers: [256, 128], epochs: options.teacherEpochs, seed: options.seed, validation: split.validation, recallK: 20, recallTop: 5,
  });
  for (const r of trained.history) log(`teacher epoch ${r.epoch} loss ${r.loss.toFixed(4)} valid recall@20 of liked ${r.validRecall?.toFixed(4)}`);
  const provenance = { logsHash: 'movielens-100k-later-ratings', specHash: 'movielens-spec', toolVersion: 'autofas-example', command: 'examples/movielens' };
  const { draft, bytes } = await baselineArtifact(trained, provenance);
  await writeArtifact(dir, { ...draft, kind: 'teacher' }, bytes);
  return bytes;
}

async function writeLogs(path: string, records: readonly Rec[]): Promise<void> {
  const gzip = createGzip();
  const file = createWriteStream(path);
  gzip.pipe(file);
  for (const r of records) if (!gzip.write(`${JSON.stringify(r)}\n`)) await once(gzip, 'drain');
  gzip.end();
  await once(file, 'finish');
}

/** Builds the world into `outDir` and returns the paths of its files. */
export async function buildMovieLensWorld(dataDir: string, outDir: string, options: WorldOptions, log: (s: string) => void) {
  const ml = await loadMovieLens(dataDir);
  const h = buildHistory(ml);
  const spec = parseFeatureSpec(movieLensSpec(ml));
  await mkdir(outDir, { recursive: true });
  const features = join(outDir, 'features.json');
  await writeFile(features, `${JSON.stringify(spec, null, 1)}\n`);
  const teacherBytes = await trainTeacher(ml, h, spec, options, join(outDir, 'teacher'), log);
  const rng = createRng(options.seed);
  const users = [...h.future.keys()].slice(0, options.users);
  const records = users.map((user) => {
    const future = [...(h.future.get(user) as Map<string, number>).keys()].slice(0, options.maxFuture);
    const items = [...future, ...unseen(ml, h, user, options.candidates - future.length, rng, new Set(future))];
    for (let i = items.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return record(ml, h, user, items);
  });
  const dataset = toDataset(spec, records);
  const session = await createSession(teacherBytes);
  const { card } = await loadArtifact(join(outDir, 'teacher'), { spec });
  const scores = await scoreArtifactRows(session, card, dataset);
  await session.dispose();
  let row = 0;
  for (const r of records) for (const c of r.candidates) c.teacher_score = Math.round(scores[row++] * 1e5) / 1e5;
  const logs = join(outDir, 'logs.jsonl.gz');
  await writeLogs(logs, records);
  log(`wrote ${logs}: ${records.length} requests, ${row} candidates`);
  return { features, logs, teacher: join(outDir, 'teacher') };
}
