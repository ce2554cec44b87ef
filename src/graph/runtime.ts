// onnxruntime-node session wrapper: create once, run many, dispose; feeds may be ort Tensors or {data, dims}.
import * as ort from 'onnxruntime-node';
import { autofasError, optionError } from '../schema/errors.js';
import type { TensorData } from './builder.js';

/** A feed: an ort Tensor, or a typed array with dims (dtype taken from the array type). */
export type FeedValue = ort.Tensor | { readonly data: TensorData; readonly dims: readonly number[] };
/** Named feeds for one run. */
export type Feeds = Readonly<Record<string, FeedValue>>;
/** Named fetches of one run. */
export type Fetches = Record<string, ort.Tensor>;

/** Options for createSession. */
export interface SessionOptions {
  /** ORT intra-op threads. @default 1 */
  readonly threads?: number;
  /** ORT graph optimisation level. @default 'all' */
  readonly optimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

interface SessionConfig {
  readonly threads: number;
  readonly optimization: 'disabled' | 'basic' | 'extended' | 'all';
}

function parseOptions(options: SessionOptions): SessionConfig {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw optionError('threads', 'must be a positive integer', threads);
  const optimization = options.optimization ?? 'all';
  if (!['disabled', 'basic', 'extended', 'all'].includes(optimization)) {
    throw optionError('optimization', "must be 'disabled', 'basic', 'extended' or 'all'", optimization);
  }
  return { threads, optimization };
}

/** A loaded model. */
export interface Session {
  readonly inputNames: readonly string[];
  /** Name, element type and dims of every input, as ONNX Runtime reads them from the model. */
  readonly inputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  readonly outputNames: readonly string[];
  /** Runs the model; feeds not among inputNames are ignored; `fetches` defaults to every output. */
  run(feeds: Feeds, fetches?: readonly string[]): Promise<Fetches>;
  /** Releases the native session; later runs throw ERR_AUTOFAS_CLOSED. */
  dispose(): Promise<void>;
}

const TYPE_OF = new Map<unknown, ort.Tensor.Type>([
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
  [Int32Array, 'int32'],
  [BigInt64Array, 'int64'],
  [Uint8Array, 'uint8'],
]);

/** Wraps a feed as an ort Tensor (no copy of the data). */
export function toTensor(feed: FeedValue): ort.Tensor {
  if (feed instanceof ort.Tensor) return feed;
  const type = TYPE_OF.get(feed.data.constructor);
  if (!type) throw autofasError('ERR_AUTOFAS_GRAPH', 'feed data must be a Float32/Float64/Int32/BigInt64/Uint8 array');
  return new ort.Tensor(type, feed.data, [...feed.dims]);
}

/** Loads model bytes into an onnxruntime-node session. */
export async function createSession(modelBytes: Uint8Array, options: SessionOptions = {}): Promise<Session> {
  const config = parseOptions(options);
  const inner = await ort.InferenceSession.create(modelBytes, {
    intraOpNumThreads: config.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: config.optimization,
  });
  const inputSet = new Set(inner.inputNames);
  let closed = false;
  return {
    inputNames: inner.inputNames,
    inputMetadata: inner.inputMetadata,
    outputNames: inner.outputNames,
    async run(feeds, fetches) {
      if (closed) throw autofasError('ERR_AUTOFAS_CLOSED', 'session is disposed');
      const tensors: Record<string, ort.Tensor> = {};
      for (const name of Object.keys(feeds)) if (inputSet.has(name)) tensors[name] = toTensor(feeds[name]);
      return (fetches ? inner.run(tensors, [...fetches]) : inner.run(tensors)) as Promise<Fetches>;
    },
    async dispose() {
      if (closed) return;
      closed = true;
      await inner.release();
    },
  };
}
