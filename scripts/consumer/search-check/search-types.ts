// Compile-time check of the searcher's and the fixture world's published types (never run). They include
// onnxruntime-node's and vega-lite's own declarations, which name DOM types: tsconfig.search.json adds the DOM lib.
import { compareWithBaselines, loadDataset, runSearch, writeSearchReport } from 'autofas/search';
import type { SearchOptions, SearchResult } from 'autofas/search';
import { createWorld, matchCandidates } from 'autofas/fixtures';

export const options: SearchOptions = { budgetUs: 800, epochs: 2 };
export const searcher = [runSearch, loadDataset, compareWithBaselines, writeSearchReport, createWorld, matchCandidates] as const;
export type Result = SearchResult;
