// The Pareto front of models on the latency-recall plane: no other model is both at most as slow and more accurate.

/** A model's position on the plane. */
export interface PlanePoint {
  readonly latencyUs: number;
  readonly recall: number;
}

/** The non-dominated points, ordered by latency (lower latency and higher recall are better). */
export function paretoFront<T extends PlanePoint>(points: readonly T[]): T[] {
  const usable = points.filter((p) => Number.isFinite(p.latencyUs) && Number.isFinite(p.recall));
  const sorted = [...usable].sort((a, b) => a.latencyUs - b.latencyUs || b.recall - a.recall);
  const front: T[] = [];
  for (const p of sorted) {
    if (front.length === 0 || p.recall > front[front.length - 1].recall) front.push(p);
  }
  return front;
}
