// `autofas evaluate`: scores every model on the same requests through ORT and measures quality and cost side by side.
import { basename, resolve } from 'node:path';
import { createSession, type Session } from '../../graph/runtime.js';
import { checkSessionAgainstCard, loadArtifact, type Artifact } from '../../schema/artifact.js';
import { optionError } from '../../schema/errors.js';
import { intOption, numberOption } from '../../schema/option-values.js';
import { cardFeatures } from '../../schema/model-card.js';
import type { Dataset } from '../data/dataset-types.js';
import { featureFetchUs, flopsPerCandidate } from './cost.js';
import { scoreArtifactRows } from './score-artifact.js';
import { measureInterleavedUs, timedModel } from '../latency/measure-models.js';
import type { EvaluationReport, EvaluationRow } from './types.js';
import { loadLatencyTable } from '../latency/latency-table.js';
import { auc, ndcgAtK, recallAtK } from './metrics.js';

export { measureLatencyUs } from '../latency/measure-models.js';

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

/** Turns EvaluateOptions into a full config (all defaults here). */
function parseEvaluateOptions(options: EvaluateOptions = {}): EvaluateConfig {
  const betaUs = options.betaUs === undefined ? undefined : numberOption('betaUs', options.betaUs, 0, 0);
  return {
    k: intOption('k', options.k, 100),
    top: intOption('top', options.top, 10),
    threads: intOption('threads', options.threads, 1),
    latencyCandidates: intOption('latencyCandidates', options.latencyCandidates, 1000),
    latencyRuns: intOption('latencyRuns', options.latencyRuns, 50),
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

/** Quality and cost of one model whose scores are known; `networkUs` is measured by the caller. */
async function evaluationRow(dataset: Dataset, artifact: Artifact, name: string, scores: Float32Array, networkUs: number, config: EvaluateConfig): Promise<EvaluationRow> {
  const { card } = artifact;
  const lists = { offsets: dataset.requestOffsets, scores, teacher: dataset.teacher };
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
}

/** Evaluates loaded artifacts on the same rows: scores first, then latency measured interleaved across them. */
async function evaluateArtifacts(dataset: Dataset, artifacts: readonly Artifact[], names: readonly string[], config: EvaluateConfig): Promise<EvaluationRow[]> {
  const sessions: Session[] = [];
  try {
    for (const a of artifacts) {
      sessions.push(await createSession(a.modelBytes, { threads: config.threads }));
      checkSessionAgainstCard(sessions[sessions.length - 1], a.card, a.dir);
    }
    const scores: Float32Array[] = [];
    for (let i = 0; i < artifacts.length; i++) scores.push(await scoreArtifactRows(sessions[i], artifacts[i].card, dataset));
    const timed = sessions.map((s, i) => timedModel(s, artifacts[i].card, dataset, config.latencyCandidates));
    const networkUs = dataset.rows > 0 ? await measureInterleavedUs(timed, config.latencyRuns) : artifacts.map(() => 0);
    const rows: EvaluationRow[] = [];
    for (let i = 0; i < artifacts.length; i++) rows.push(await evaluationRow(dataset, artifacts[i], names[i], scores[i], networkUs[i], config));
    return rows;
  } finally {
    for (const s of sessions) await s.dispose();
  }
}

/** Evaluates one loaded artifact on the dataset. */
export async function evaluateArtifact(dataset: Dataset, artifact: Artifact, name: string, options: EvaluateOptions = {}): Promise<EvaluationRow> {
  const [row] = await evaluateArtifacts(dataset, [artifact], [name], parseEvaluateOptions(options));
  return row;
}

/** Loads each artifact (checked against the dataset's spec) and evaluates them all on the same rows, in one run. */
export async function evaluateModels(dataset: Dataset, dirs: readonly string[], options: EvaluateOptions = {}): Promise<EvaluationReport> {
  const config = parseEvaluateOptions(options);
  if (config.names && config.names.length !== dirs.length) {
    throw optionError('names', `must hold one name per model (${dirs.length})`, config.names);
  }
  const artifacts: Artifact[] = [];
  for (const dir of dirs) artifacts.push(await loadArtifact(resolve(dir), { spec: dataset.spec, checkOnnx: false }));
  const names = dirs.map((dir, i) => config.names?.[i] ?? basename(resolve(dir)));
  const rows = await evaluateArtifacts(dataset, artifacts, names, config);
  return { k: config.k, top: config.top, requests: dataset.requests, candidates: dataset.rows, rows };
}
