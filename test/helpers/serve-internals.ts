// Test-only access to a pre-ranker's internals (its active model pool).
import type { ModelPool } from '../../src/serve/model-pool.js';
import { engineOf } from '../../src/serve/pre-ranker.js';
import type { PreRanker } from '../../src/serve/types.js';

export function getPool(preRanker: PreRanker): ModelPool {
  return engineOf(preRanker).pool;
}
