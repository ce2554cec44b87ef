// ORT tensors over a request buffer's feeds, for the worker's model run and the baseline's two towers alike.
import * as ort from 'onnxruntime-node';
import { feedViews } from './feed-layout.js';
import type { FeedLayout } from './feed-layout.js';

/**
 * One tensor per feed, each a view into `buffer` (nothing is copied); the feeds listed in `gathered` are views into
 * its buffer instead (laid out alike: the stored features' columns a worker filled, see row-gather.ts).
 */
export function feedTensors(layout: FeedLayout, buffer: ArrayBufferLike, rows: number, gathered?: { readonly buffer: ArrayBufferLike; readonly feeds: readonly number[] }): Record<string, ort.Tensor> {
  const tensors: Record<string, ort.Tensor> = {};
  const views = feedViews(layout, buffer, rows);
  if (gathered) {
    const own = feedViews(layout, gathered.buffer, rows);
    for (const k of gathered.feeds) views[k] = own[k];
  }
  for (const feed of views) tensors[feed.name] = new ort.Tensor(feed.dtype, feed.data, feed.dims);
  return tensors;
}
