// Seeded parameter initialisers (xavier, he, normal, uniform, zeros) built on createRng.
import { optionError } from '../schema/errors.js';
import type { Rng } from '../util/random.js';

/** Initialiser kinds; fan-in is dims[0] and fan-out dims[1] (x @ W layout, W: [in, out]). */
export type InitKind = 'xavier' | 'he' | 'normal' | 'uniform' | 'zeros' | 'ones';

/** Options for initParam. */
export interface InitOptions {
  /** Standard deviation for 'normal'. @default 0.01 */
  readonly std?: number;
  /** Half-width for 'uniform'. @default 0.05 */
  readonly scale?: number;
}

/** A new Float32Array of prod(dims) values drawn with `rng`. */
export function initParam(dims: readonly number[], kind: InitKind, rng: Rng, options: InitOptions = {}): Float32Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const fanIn = dims.length > 1 ? dims[0] : n;
  const fanOut = dims.length > 1 ? dims[1] : n;
  const uniform = (a: number): void => {
    for (let i = 0; i < n; i++) out[i] = (rng.next() * 2 - 1) * a;
  };
  const normal = (s: number): void => {
    for (let i = 0; i < n; i++) out[i] = rng.normal() * s;
  };
  switch (kind) {
    case 'zeros': break;
    case 'ones': out.fill(1); break;
    case 'xavier': uniform(Math.sqrt(6 / (fanIn + fanOut))); break;
    case 'he': normal(Math.sqrt(2 / fanIn)); break;
    case 'normal': normal(options.std ?? 0.01); break;
    case 'uniform': uniform(options.scale ?? 0.05); break;
    default: throw optionError('kind', "must be 'xavier', 'he', 'normal', 'uniform', 'zeros' or 'ones'", kind);
  }
  return out;
}
