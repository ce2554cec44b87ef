// The operator latency table written by `autofas profile`: measured Gemm+Relu cost per (d_in, d_out) at the serving batch.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { autofasError } from '../../schema/errors.js';
import { readJsonFile } from '../../schema/json-file.js';

export const LATENCY_TABLE_VERSION = 1;

const entrySchema = z.strictObject({ dIn: z.number().int().positive(), dOut: z.number().int().positive(), us: z.number().nonnegative() });

export const latencyTableSchema = z.strictObject({
  version: z.literal(LATENCY_TABLE_VERSION),
  /** Batch size (candidates) every entry was measured at. */
  candidates: z.number().int().positive(),
  /** ORT intra-op threads used while measuring. */
  threads: z.number().int().positive(),
  /** Fixed cost of one ORT run (feeds, fetches, dispatch), measured on a trivial model; not included in entries. */
  runOverheadUs: z.number().nonnegative(),
  /** Per-feature cost of an input (embedding gather / normalisation / concat), microseconds per batch. */
  inputUs: z.number().nonnegative(),
  entries: z.array(entrySchema).min(1),
  machine: z.strictObject({ cpu: z.string(), cores: z.number().int(), ort: z.string(), node: z.string() }),
  createdAt: z.string(),
});

export type LatencyTable = z.infer<typeof latencyTableSchema>;

/** The table shipped for the development machine (fixtures/latency/default.json). */
export const DEFAULT_LATENCY_TABLE = fileURLToPath(new URL('../../../../fixtures/latency/default.json', import.meta.url));

/** Validates a parsed latency table. */
export function parseLatencyTable(json: unknown, origin = 'latency table'): LatencyTable {
  const result = latencyTableSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw autofasError('ERR_AUTOFAS_PROFILE', `${origin}: ${issue.path.join('.')}: ${issue.message}`, { origin });
  }
  return result.data;
}

/** Reads a latency table from disk (the default table when `path` is omitted). */
export async function loadLatencyTable(path: string = DEFAULT_LATENCY_TABLE): Promise<LatencyTable> {
  const { json } = await readJsonFile(path, 'ERR_AUTOFAS_PROFILE', 'latency table (run `autofas profile`)');
  return parseLatencyTable(json, path);
}

/** Fast lookups into a table: bilinear interpolation on the measured grid, flop-proportional beyond it. */
export class LatencyLookup {
  readonly table: LatencyTable;
  private readonly ins: number[];
  private readonly outs: number[];
  private readonly grid = new Map<string, number>();

  constructor(table: LatencyTable) {
    this.table = table;
    this.ins = [...new Set(table.entries.map((e) => e.dIn))].sort((a, b) => a - b);
    this.outs = [...new Set(table.entries.map((e) => e.dOut))].sort((a, b) => a - b);
    for (const e of table.entries) this.grid.set(`${e.dIn}x${e.dOut}`, e.us);
    for (const i of this.ins) for (const o of this.outs) {
      if (!this.grid.has(`${i}x${o}`)) throw autofasError('ERR_AUTOFAS_PROFILE', `latency table misses shape ${i}x${o}`);
    }
  }

  /** Microseconds for one dense layer d_in -> d_out (matmul + bias + relu) at the table's batch; continuous in both. */
  layerUs(dIn: number, dOut: number, candidates = this.table.candidates): number {
    if (dIn <= 0 || dOut <= 0) return 0;
    const [i0, i1, ti] = bracket(this.ins, dIn);
    const [o0, o1, to] = bracket(this.outs, dOut);
    const at = (i: number, o: number): number => this.grid.get(`${i}x${o}`) as number;
    const base = (1 - ti) * ((1 - to) * at(i0, o0) + to * at(i0, o1)) + ti * ((1 - to) * at(i1, o0) + to * at(i1, o1));
    const ci = dIn > i1 ? dIn / i1 : 1;
    const co = dOut > o1 ? dOut / o1 : 1;
    return base * ci * co * (candidates / this.table.candidates);
  }

  /** d layerUs / d dIn: the slope of the interpolation (right-hand at grid points; 0 at dIn <= 0 and below the grid). */
  layerUsSlope(dIn: number, dOut: number, candidates = this.table.candidates): number {
    if (dIn <= 0 || dOut <= 0) return 0;
    const [i0, i1] = bracket(this.ins, dIn);
    const [o0, o1, to] = bracket(this.outs, dOut);
    const atIn = (i: number): number => (1 - to) * (this.grid.get(`${i}x${o0}`) as number) + to * (this.grid.get(`${i}x${o1}`) as number);
    const co = dOut > o1 ? dOut / o1 : 1;
    const scale = co * (candidates / this.table.candidates);
    const last = this.ins[this.ins.length - 1];
    if (dIn >= last) return (atIn(last) / last) * scale; // flop-proportional beyond the grid
    if (i0 === i1) return 0; // below the grid: clamped to its first point
    return ((atIn(i1) - atIn(i0)) / (i1 - i0)) * scale;
  }
}

/** Neighbours of x in a sorted grid and the interpolation weight (clamped to the grid's ends). */
function bracket(grid: readonly number[], x: number): [number, number, number] {
  if (x <= grid[0]) return [grid[0], grid[0], 0];
  const last = grid[grid.length - 1];
  if (x >= last) return [last, last, 0];
  let k = 0;
  while (grid[k + 1] < x) k++;
  const lo = grid[k];
  const hi = grid[k + 1];
  return [lo, hi, (x - lo) / (hi - lo)];
}
