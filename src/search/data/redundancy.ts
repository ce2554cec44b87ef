// Redundancy pre-pass: numeric features that are near-exact copies of a cheaper one (|Pearson r| >= threshold on the
// training rows, same side) leave the search space; the cheapest copy of each group stays.
import type { Feature } from '../../schema/feature-spec.js';
import { featureCostUs } from '../../schema/feature-spec.js';
import type { Dataset } from './dataset-types.js';

/** A feature left out as a copy of another. */
export interface RedundantFeature {
  readonly feature: string;
  readonly copyOf: string;
  readonly correlation: number;
}

function column(dataset: Dataset, f: Feature): ArrayLike<number> | undefined {
  return (f.side === 'context' ? dataset.context : dataset.columns).get(f.name);
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (let i = 0; i < n; i++) {
    sa += a[i];
    sb += b[i];
    saa += a[i] * a[i];
    sbb += b[i] * b[i];
    sab += a[i] * b[i];
  }
  const cov = sab / n - (sa / n) * (sb / n);
  const va = saa / n - (sa / n) ** 2;
  const vb = sbb / n - (sb / n) ** 2;
  return va > 1e-12 && vb > 1e-12 ? cov / Math.sqrt(va * vb) : 0;
}

/**
 * Scalar numeric features of the same side whose values correlate at |r| >= `threshold` form a group; all but the
 * cheapest (then the first in spec order) are returned as redundant.
 */
export function findRedundant(dataset: Dataset, features: readonly Feature[], threshold = 0.98): RedundantFeature[] {
  const numeric = features.filter((f) => f.type === 'numeric' && column(dataset, f) !== undefined);
  const order = [...numeric].sort((x, y) => featureCostUs(x) - featureCostUs(y) || features.indexOf(x) - features.indexOf(y));
  const out: RedundantFeature[] = [];
  const dropped = new Set<string>();
  order.forEach((keep, i) => {
    if (dropped.has(keep.name)) return;
    for (const other of order.slice(i + 1)) {
      if (dropped.has(other.name) || other.side !== keep.side) continue;
      const r = pearson(column(dataset, keep) as ArrayLike<number>, column(dataset, other) as ArrayLike<number>);
      if (Math.abs(r) >= threshold) {
        dropped.add(other.name);
        out.push({ feature: other.name, copyOf: keep.name, correlation: r });
      }
    }
  });
  return out;
}
