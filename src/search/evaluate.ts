// `autofas evaluate`: scores every model on the same requests through ORT and measures quality and cost side by side.
import { basename, resolve } from 'node:path';
import { createSession, type Session } from '../graph/runtime.js';
import { loadArtifact, type Artifact } from '../schema/artifact.js';
import { optionError } from '../schema/errors.js';
import { cardFeatures } from '../schema/model-card.js';
import type { Dataset } from './dataset-types.js';
import { featureFetchUs, flopsPerCandidate } from './evaluate-cost.js';
import { batchFeeds, checkFeedsAvailable, requestFeeds, type ScoringCard } from './evaluate-feeds.js';
import type { EvaluationReport, EvaluationRow } from './evaluate-types.js';
import { loadLatencyTable } from './latency-table.js';
import { auc, ndcgAtK, recallAtK } from './metrics.js';

/** Options of evaluateModels. */
export interface EvaluateOptions {
  /** Size of the model's kept set for Recall@K and NDCG@K. @default 100 */
  readonly k?: number;
  /** Size of the teacher's top set that Recall@K looks for. @default 10 */
  readonly top?: number;
  /** ORT intra-op threads for scoring and the latency measurement. @default 1 */
  readonly threads?: number;
  /** Candidates per run in the latency measurement. @default 1000 */
  readonly latencyCandidates?: number;
  /** Timed runs in the latency measurement (the median is reported). @default 50 */
  readonly latencyRuns?: number;
  /** Display names, one per model directory. @default the directories' base names */
  readonly names?: readonly string[];
  /** Per-feature overhead beta (µs per request) in the feature fetch cost. @default the default latency table's inputUs */
  readonly betaUs?: number;
}

interface EvaluateConfig {
  readonly k: number;
  readonly top: number;
  readonly threads: number;
  readonly latencyCandidates: number;
  readonly latencyRuns: number;
  readonly names: readonly string[] | undefined;
  readonly betaUs: number | undefined;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw optionError(name, 'must be a positive integer', value);
  return value;
}

/** Turns EvaluateOptions into a full config (all defaults here). */
export function parseEvaluateOptions(options: EvaluateOptions = {}): EvaluateConfig {
  const betaUs = options.betaUs;
  if (betaUs !== undefined && !(Number.isFinite(betaUs) && betaUs >= 0)) throw optionError('betaUs', 'must be a finite number >= 0', betaUs);
  return {
    k: positiveInt('k', options.k, 100),
    top: positiveInt('top', options.top, 10),
    threads: positiveInt('threads', options.threads, 1),
    latencyCandidates: positiveInt('latencyCandidates', options.latencyCandidates, 1000),
    latencyRuns: positiveInt('latencyRuns', options.latencyRuns, 50),
    names: options.names,
    betaUs,
  };
}

let defaultBeta: Promise<number> | undefined;

/** beta of the latency model when none is given: the shipped latency table's per-input cost (0 if unreadable). */
export function defaultBetaUs(): Promise<number> {
  defaultBeta ??= loadLatencyTable().then((t) => t.inputUs, () => 0);
  return defaultBeta;
}

/** The model's score for every row of the dataset: one ORT run per request. */
export async function scoreDataset(session: Session, card: ScoringCard, dataset: Dataset): Promise<Float32Array> {
  checkFeedsAvailable(card, dataset);
  const scores = new Float32Array(dataset.rows);
  for (let r = 0; r < dataset.requests; r++) {
    const start = dataset.requestOffsets[r];
    if (dataset.requestOffsets[r + 1] === start) continue;
    const fetched = await session.run(requestFeeds(card, dataset, r), [card.outputs.score]);
    scores.set(fetched[card.outputs.score].data as Float32Array, start);
  }
  return scores;
}

/** Median wall time in microseconds of one run over `candidates` rows, after a short warm-up. */
export async function measureLatencyUs(session: Session, card: ScoringCard, dataset: Dataset, candidates: number, runs: number): Promise<number> {
  const feeds = batchFeeds(card, dataset, candidates);
  const fetches = [card.outputs.score];
  for (let i = 0; i < 5; i++) await session.run(feeds, fetches);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds, fetches);
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Evaluates one loaded artifact on the dataset. */
export async function evaluateArtifact(dataset: Dataset, artifact: Artifact, name: string, options: EvaluateOptions = {}): Promise<EvaluationRow> {
  const config = parseEvaluateOptions(options);
  const { card } = artifact;
  const session = await createSession(artifact.modelBytes, { threads: config.threads });
  try {
    const scores = await scoreDataset(session, card, dataset);
    const lists = { offsets: dataset.requestOffsets, scores, teacher: dataset.teacher };
    const networkUs = dataset.rows > 0 ? await measureLatencyUs(session, card, dataset, config.latencyCandidates, config.latencyRuns) : 0;
    const featureUs = featureFetchUs(cardFeatures(card), config.betaUs ?? (await defaultBetaUs()));
    const labelAuc = dataset.hasLabels ? auc(scores, dataset.labels) : Number.NaN;
    return {
      name,
      dir: artifact.dir,
      kind: card.kind,
      modelId: card.modelId,
      features: card.inputs.length,
      recallAtK: recallAtK(lists, config.k, config.top),
      ndcgAtK: ndcgAtK(lists, config.k),
      auc: Number.isNaN(labelAuc) ? null : labelAuc,
      networkUs,
      featureUs,
      totalUs: networkUs + featureUs,
      flopsPerCandidate: flopsPerCandidate(artifact.modelBytes),
    };
  } finally {
    await session.dispose();
  }
}

/** Loads each artifact (checked against the dataset's spec) and evaluates them one after another on the same rows. */
export async function evaluateModels(dataset: Dataset, dirs: readonly string[], options: EvaluateOptions = {}): Promise<EvaluationReport> {
  const config = parseEvaluateOptions(options);
  if (config.names && config.names.length !== dirs.length) {
    throw optionError('names', `must hold one name per model (${dirs.length})`, config.names);
  }
  const rows: EvaluationRow[] = [];
  for (let i = 0; i < dirs.length; i++) {
    const artifact = await loadArtifact(resolve(dirs[i]), { spec: dataset.spec });
    rows.push(await evaluateArtifact(dataset, artifact, config.names?.[i] ?? basename(resolve(dirs[i])), options));
  }
  return { k: config.k, top: config.top, requests: dataset.requests, candidates: dataset.rows, rows };
}
