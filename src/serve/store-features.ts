// Start-up check that a model's store features have a supplier: an `itemStore`, or candidates declared to carry them.
import { autofasError } from '../schema/errors.js';
import type { ModelCard } from '../schema/model-card.js';

/** What `storeFeaturesFrom` and `itemStore` say about where `source: "store"` item and cross features come from. */
export interface StoreFeatureSupply {
  readonly itemStore: unknown;
  readonly storeFeaturesFrom: 'itemStore' | 'candidates';
}

/** True when store features are read from the candidates: declared so, or (after the check below) not needed. */
export function storeFeaturesFromCandidates(supply: StoreFeatureSupply): boolean {
  return supply.storeFeaturesFrom === 'candidates' || supply.itemStore === null;
}

/** Names of the item and cross features a model reads from the item store (context features come with the request). */
export function storeFeatureNames(card: Pick<ModelCard, 'inputs'>): string[] {
  return card.inputs.filter((i) => i.feature.side !== 'context' && i.feature.source === 'store').map((i) => i.feature.name);
}

/**
 * Refuses a model whose store features nobody supplies: without this check every candidate would silently score
 * with the features' defaults, on `path: "model"`. Throws ERR_AUTOFAS_STORE_FEATURES naming the features.
 */
export function checkStoreFeatures(supply: StoreFeatureSupply, card: Pick<ModelCard, 'inputs' | 'modelId'>, dir: string): void {
  if (supply.itemStore !== null || supply.storeFeaturesFrom === 'candidates') return;
  const features = storeFeatureNames(card);
  if (features.length === 0) return;
  throw autofasError(
    'ERR_AUTOFAS_STORE_FEATURES',
    `model ${card.modelId} in ${dir} reads store features ${features.join(', ')} and no \`itemStore\` is configured: ` +
      "pass `itemStore`, or `storeFeaturesFrom: 'candidates'` when the matching hop puts them on each candidate's `features`",
    { features, modelId: card.modelId, dir },
  );
}
