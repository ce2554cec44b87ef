// FSCD baseline: feature dropout with a complexity prior on a fixed network. It is the searcher with the
// architecture search switched off (one width per layer, no identity), so the feature gates and the feature-cost
// penalty are the only choices; the result is re-labelled kind 'fscd'.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadArtifact, writeArtifact } from '../../schema/artifact.js';
import type { ModelCard } from '../../schema/model-card.js';
import type { SearchOptions } from '../search/config.js';
import type { Dataset } from '../data/dataset-types.js';
import { runSearch } from '../search/run-search.js';

/** Options of trainFscd: the search's, minus the architecture space, plus the fixed layer width and depth. */
export interface FscdOptions extends Omit<SearchOptions, 'widths' | 'mixops' | 'identity'> {
  /** Width of every hidden layer. @default 256 */
  readonly width?: number;
  /** Hidden layers. @default 3 */
  readonly depth?: number;
}

/** Runs the fixed-architecture search on `dataset` (split by request as `autofas search` does) into `dir`. */
export async function trainFscd(dataset: Dataset, dir: string, options: FscdOptions = {}): Promise<ModelCard> {
  const { width = 256, depth = 3, ...search } = options;
  const scratch = await mkdtemp(join(tmpdir(), 'autofas-fscd-'));
  try {
    const out = join(scratch, 'model');
    await runSearch(dataset, { ...search, widths: [width], mixops: depth, identity: false }, { out });
    const { card, modelBytes } = await loadArtifact(out, { checkOnnx: false });
    const { modelId: _id, ...draft } = card;
    return await writeArtifact(dir, { ...draft, kind: 'fscd', architecture: { ...draft.architecture, method: 'FSCD: feature gates with a complexity prior, fixed network' } }, modelBytes);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
