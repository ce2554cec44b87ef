// Named weights shared by a baseline's training graph and its export graph (same names, same Float32Arrays).
import type { Graph, Value } from '../../graph/graph.js';
import { initParam, type InitKind } from '../../graph/init.js';
import type { Rng } from '../../util/random.js';

/** Holds every weight of a model by name; a graph asks for a weight and gets the same array each time. */
export class ParamStore {
  private readonly arrays = new Map<string, Float32Array>();
  private readonly rng: Rng;

  constructor(rng: Rng) {
    this.rng = rng;
  }

  /** Declares `name` in graph `g`, initialising its values on first use (in a deterministic order). */
  param(g: Graph, name: string, dims: readonly number[], init: InitKind, std?: number): Value {
    let data = this.arrays.get(name);
    if (!data) {
      data = initParam(dims, init, this.rng, { std });
      this.arrays.set(name, data);
    }
    return g.param(name, dims, data);
  }

  /** A copy of every weight (for keeping the best checkpoint). */
  snapshot(): Map<string, Float32Array> {
    return new Map([...this.arrays].map(([k, v]) => [k, v.slice()]));
  }

  /** Writes a snapshot back into the live arrays. */
  restore(snapshot: ReadonlyMap<string, Float32Array>): void {
    for (const [name, values] of snapshot) this.arrays.get(name)?.set(values);
  }

  /** Number of weights. */
  get size(): number {
    let n = 0;
    for (const a of this.arrays.values()) n += a.length;
    return n;
  }
}
