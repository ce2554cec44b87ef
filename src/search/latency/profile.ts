// `autofas profile`: measures each dense-layer shape at the serving batch with onnxruntime-node and builds a LatencyTable.
import { cpus } from 'node:os';
import { createRequire } from 'node:module';
import { intOption, widthsOption } from '../../schema/option-values.js';
import { encodeModel } from '../../graph/builder.js';
import { Graph } from '../../graph/graph.js';
import { createSession, type Feeds } from '../../graph/runtime.js';
import { createRng } from '../../util/random.js';
import { LATENCY_TABLE_VERSION, type LatencyTable } from './latency-table.js';
import { measureInterleavedUs } from './measure-models.js';

/** Options for profileLatency. */
export interface ProfileOptions {
  /** Serving batch (candidates per request). @default 1000 */
  readonly candidates?: number;
  /** Input widths to measure. @default [8, 16, 32, 64, 128, 256, 512, 1024] */
  readonly dIns?: readonly number[];
  /** Output widths to measure (1 is the scoring head). @default [1, 16, 32, 64, 128, 256, 512, 1024] */
  readonly dOuts?: readonly number[];
  /** ORT intra-op threads, as the serving pool runs them. @default 1 */
  readonly threads?: number;
  /** Timed runs per shape (the median is kept). @default 40 */
  readonly repeats?: number;
  /** Called after each shape with (done, total). @default no-op */
  readonly onProgress?: (done: number, total: number) => void;
}

interface ProfileConfig {
  readonly candidates: number;
  readonly dIns: readonly number[];
  readonly dOuts: readonly number[];
  readonly threads: number;
  readonly repeats: number;
  readonly onProgress: (done: number, total: number) => void;
}

/** Layer widths to time, each once, ascending. */
function widths(name: string, value: readonly number[] | undefined, fallback: readonly number[]): readonly number[] {
  return [...new Set(widthsOption(name, value, fallback))].sort((a, b) => a - b);
}

export function parseProfileOptions(options: ProfileOptions = {}): ProfileConfig {
  return {
    candidates: intOption('candidates', options.candidates, 1000),
    dIns: widths('dIns', options.dIns, [8, 16, 32, 64, 128, 256, 512, 1024]),
    dOuts: widths('dOuts', options.dOuts, [1, 16, 32, 64, 128, 256, 512, 1024]),
    threads: intOption('threads', options.threads, 1),
    repeats: intOption('repeats', options.repeats, 40),
    onProgress: options.onProgress ?? (() => undefined),
  };
}

/** One dense layer y = relu(x W + b) with x: [N, dIn], as serving runs it. */
function layerModel(dIn: number, dOut: number, seed: number): Uint8Array {
  const g = new Graph(`profile_${dIn}x${dOut}`);
  const rng = createRng(seed);
  const x = g.input('x', 'float32', ['N', dIn]);
  const w = g.constant(Float32Array.from({ length: dIn * dOut }, () => rng.normal() * 0.05), [dIn, dOut]);
  const b = g.constant(new Float32Array(dOut), [dOut]);
  g.output(g.relu(g.add(g.matmul(x, w), b)), 'y');
  return encodeModel(g.toModel());
}

/** A trivial model (the fixed cost of one run) and a one-feature embedding gather (the per-input cost). */
function overheadModel(): Uint8Array {
  const g = new Graph('profile_overhead');
  g.output(g.relu(g.input('x', 'float32', ['N', 1])), 'y');
  return encodeModel(g.toModel());
}

function gatherModel(): Uint8Array {
  const g = new Graph('profile_gather');
  const table = g.constant(new Float32Array(1000 * 8).fill(0.5), [1000, 8]);
  g.output(g.relu(g.gather(table, g.input('x', 'int32', ['N']))), 'y');
  return encodeModel(g.toModel());
}

/** Median microseconds of one run of a model (the one model timer, measureInterleavedUs). */
async function timeModel(bytes: Uint8Array, feeds: Feeds, threads: number, repeats: number): Promise<number> {
  const session = await createSession(bytes, { threads });
  try {
    const [us] = await measureInterleavedUs([{ session, feeds, fetches: session.outputNames }], repeats);
    return us;
  } finally {
    await session.dispose();
  }
}

function ortVersion(): string {
  try {
    return (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Measures every (d_in, d_out) of the grid and returns the table (entries exclude the per-run overhead). */
export async function profileLatency(options: ProfileOptions = {}): Promise<LatencyTable> {
  const c = parseProfileOptions(options);
  const n = c.candidates;
  const overhead = await timeModel(overheadModel(), { x: { data: new Float32Array(n), dims: [n, 1] } }, c.threads, c.repeats);
  const gather = await timeModel(gatherModel(), { x: { data: new Int32Array(n).map((_, i) => i % 1000), dims: [n] } }, c.threads, c.repeats);
  const entries: LatencyTable['entries'] = [];
  const total = c.dIns.length * c.dOuts.length;
  for (const dIn of c.dIns) {
    const x = Float32Array.from({ length: n * dIn }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    for (const dOut of c.dOuts) {
      const us = await timeModel(layerModel(dIn, dOut, dIn * 4099 + dOut), { x: { data: x, dims: [n, dIn] } }, c.threads, c.repeats);
      entries.push({ dIn, dOut, us: round2(Math.max(0, us - overhead)) });
      c.onProgress(entries.length, total);
    }
  }
  const cpu = cpus();
  return {
    version: LATENCY_TABLE_VERSION,
    candidates: n,
    threads: c.threads,
    runOverheadUs: round2(overhead),
    inputUs: round2(Math.max(0, gather - overhead)),
    entries: monotoneEnvelope(entries, c.dIns, c.dOuts),
    machine: { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, ort: ortVersion(), node: process.version },
    createdAt: new Date().toISOString(),
  };
}

/**
 * The table made non-decreasing in d_in and d_out (timer noise must not make a wider layer look cheaper): each entry
 * becomes the largest measurement at a shape no wider in either width. `entries` are row-major over (dIns, dOuts).
 */
export function monotoneEnvelope(entries: LatencyTable['entries'], dIns: readonly number[], dOuts: readonly number[]): LatencyTable['entries'] {
  const out = entries.map((e) => ({ ...e }));
  const at = (i: number, o: number): { us: number } => out[i * dOuts.length + o];
  for (let i = 0; i < dIns.length; i++) {
    for (let o = 0; o < dOuts.length; o++) {
      at(i, o).us = Math.max(at(i, o).us, i > 0 ? at(i - 1, o).us : 0, o > 0 ? at(i, o - 1).us : 0);
    }
  }
  return out;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
