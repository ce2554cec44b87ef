// Model artifacts (a directory holding model.onnx + model.json): atomic writing, and loading validated as a unit.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { autofasError } from './errors.js';
import type { Feature, FeatureSpec } from './feature-spec.js';
import { makeModelId, parseModelCard } from './model-card.js';
import type { CardInput, ModelCard } from './model-card.js';

export const MODEL_FILE = 'model.onnx';
export const CARD_FILE = 'model.json';

/** A validated artifact: its card and the ONNX bytes the card describes. */
export interface Artifact {
  readonly dir: string;
  readonly card: ModelCard;
  readonly modelBytes: Uint8Array;
}

export interface LoadArtifactOptions {
  /** Check the card's features against this spec (same side, type, source, encoders). */
  readonly spec?: FeatureSpec;
  /**
   * Open an ORT session to check the ONNX inputs and outputs against the card. A caller that opens the model anyway
   * passes false and runs checkSessionAgainstCard on its own session, so the model is opened once. @default true
   */
  readonly checkOnnx?: boolean;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads `dir/model.json` and `dir/model.onnx` and validates them as a unit; throws coded errors. */
export async function loadArtifact(dir: string, options: LoadArtifactOptions = {}): Promise<Artifact> {
  const [cardText, modelBytes] = await Promise.all([readArtifactFile(dir, CARD_FILE, 'utf8'), readArtifactFile(dir, MODEL_FILE)]);
  let json: unknown;
  try {
    json = JSON.parse(cardText as string);
  } catch (err) {
    throw autofasError('ERR_AUTOFAS_MODEL_CARD', `${join(dir, CARD_FILE)}: not valid JSON (${(err as Error).message})`, { dir }, err);
  }
  const card = parseModelCard(json, join(dir, CARD_FILE));
  const bytes = modelBytes as Uint8Array;
  const expectedId = makeModelId(card.kind, sha256Hex(bytes));
  if (expectedId !== card.modelId) {
    throw autofasError(
      'ERR_AUTOFAS_MODEL_FILES',
      `${dir}: model.onnx does not belong to model.json (card modelId ${card.modelId}, file hashes to ${expectedId})`,
      { dir },
    );
  }
  if (options.spec) checkCardAgainstSpec(card, options.spec, dir);
  if (options.checkOnnx !== false) await checkOnnxAgainstCard(bytes, card, dir);
  return { dir, card, modelBytes: bytes };
}

async function readArtifactFile(dir: string, file: string, encoding?: 'utf8'): Promise<string | Uint8Array> {
  try {
    return encoding ? await readFile(join(dir, file), encoding) : new Uint8Array(await readFile(join(dir, file)));
  } catch (err) {
    throw autofasError('ERR_AUTOFAS_MODEL_FILES', `${join(dir, file)}: cannot read (${(err as Error).message})`, { dir, file }, err);
  }
}

/** Every card feature must exist in the spec with the same side, type, source and encoder parameters. */
export function checkCardAgainstSpec(card: ModelCard, spec: FeatureSpec, origin: string): void {
  const byName = new Map(spec.features.map((f) => [f.name, f]));
  for (const { feature } of card.inputs) {
    const declared = byName.get(feature.name);
    const problem = declared ? featureMismatch(feature, declared) : 'is not in the feature spec';
    if (problem) {
      throw autofasError('ERR_AUTOFAS_MODEL_SCHEMA', `${origin}: model input feature "${feature.name}" ${problem}`, {
        feature: feature.name,
      });
    }
  }
}

function featureMismatch(used: Feature, declared: Feature): string | null {
  for (const key of ['side', 'type', 'source'] as const) {
    if (used[key] !== declared[key]) return `has ${key} "${used[key]}" but the spec says "${declared[key]}"`;
  }
  if (used.type === 'vector' && declared.type === 'vector' && used.dim !== declared.dim) {
    return `has dim ${used.dim} but the spec says ${declared.dim}`;
  }
  if (used.type === 'categorical' && declared.type === 'categorical') {
    if (used.hashBuckets !== declared.hashBuckets) return `has hashBuckets ${used.hashBuckets} but the spec says ${declared.hashBuckets}`;
    if (JSON.stringify(used.vocab) !== JSON.stringify(declared.vocab)) return 'has a vocab that differs from the spec';
  }
  return null;
}

/** Opens the ONNX bytes in ORT and checks its inputs and outputs against the card. */
export async function checkOnnxAgainstCard(bytes: Uint8Array, card: ModelCard, origin: string): Promise<void> {
  const session = await openCheckedSession(bytes, card, origin);
  await session.release();
}

/**
 * @internal An ORT session (one thread) on the ONNX bytes, checked against the card; released again when the check fails.
 * ERR_AUTOFAS_MODEL_FILES (with `details`) when the bytes do not load.
 */
export async function openCheckedSession(bytes: Uint8Array, card: ModelCard, origin: string, details: Record<string, unknown> = {}): Promise<ort.InferenceSession> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (err) {
    throw autofasError('ERR_AUTOFAS_MODEL_FILES', `${origin}: model.onnx does not load in ONNX Runtime (${(err as Error).message})`, details, err);
  }
  try {
    checkSessionAgainstCard(session, card, origin);
  } catch (err) {
    await session.release();
    throw err;
  }
  return session;
}

/** @internal What the ONNX check reads of an open session: an ORT InferenceSession, or the engine's or a worker's session. */
export interface SessionSignature {
  readonly inputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  readonly outputNames: readonly string[];
}

/** @internal Checks an open session's inputs (names, dtypes, dims) and outputs against the card; ERR_AUTOFAS_MODEL_SCHEMA. */
export function checkSessionAgainstCard(session: SessionSignature, card: ModelCard, origin: string): void {
  const problem = onnxInputProblem(session.inputMetadata, card.inputs) ?? onnxOutputProblem(session.outputNames, card);
  if (problem) throw autofasError('ERR_AUTOFAS_MODEL_SCHEMA', `${origin}: ${problem}`, {});
}

function onnxInputProblem(metadata: readonly ort.InferenceSession.ValueMetadata[], inputs: readonly CardInput[]): string | null {
  const byName = new Map(metadata.map((m) => [m.name, m]));
  for (const input of inputs) {
    const meta = byName.get(input.input);
    if (!meta) return `model.onnx has no input "${input.input}" that the card lists for feature "${input.feature.name}"`;
    if (!meta.isTensor || meta.type !== input.dtype) return `model.onnx input "${input.input}" is not a ${input.dtype} tensor`;
    const dims = meta.shape.map((d) => (typeof d === 'string' || d < 0 ? 'N' : d));
    if (JSON.stringify(dims) !== JSON.stringify(input.dims)) {
      return `model.onnx input "${input.input}" has dims ${JSON.stringify(meta.shape)}, the card says ${JSON.stringify(input.dims)}`;
    }
    byName.delete(input.input);
  }
  const extra = [...byName.keys()];
  return extra.length ? `model.onnx has inputs the card does not list: ${extra.join(', ')}` : null;
}

function onnxOutputProblem(outputNames: readonly string[], card: ModelCard): string | null {
  for (const name of Object.values(card.outputs)) {
    if (name !== undefined && !outputNames.includes(name)) return `model.onnx has no output "${name}" named by the card`;
  }
  return null;
}

/** A card before it is written: the model id is computed from the ONNX bytes. */
export type CardDraft = Omit<ModelCard, 'modelId'>;

/**
 * Writes an artifact atomically: both files go to a temporary sibling directory, which is then renamed over `dir`,
 * so a reader (or a directory watcher) never sees half an artifact.
 */
export async function writeArtifact(dir: string, draft: CardDraft, modelBytes: Uint8Array): Promise<ModelCard> {
  const card = parseModelCard({ ...draft, modelId: makeModelId(draft.kind, sha256Hex(modelBytes)) }, join(dir, CARD_FILE));
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `.${basename(dir)}.tmp-${tag}`);
  const old = join(parent, `.${basename(dir)}.old-${tag}`);
  await mkdir(tmp);
  await writeFile(join(tmp, MODEL_FILE), modelBytes);
  await writeFile(join(tmp, CARD_FILE), `${JSON.stringify(card, null, 2)}\n`);
  const hadOld = await rename(dir, old).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
  await rename(tmp, dir);
  if (hadOld) await rm(old, { recursive: true, force: true });
  return card;
}
