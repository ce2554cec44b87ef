// ORT tensors over a request buffer's feeds, for the worker's model run and the baseline's two towers alike.
import * as ort from 'onnxruntime-node';
import { feedViews } from './feature-plan.js';
import type { FeedLayout } from './feature-plan.js';

/** One tensor per feed, each a view into `buffer` (nothing is copied). */
export function feedTensors(layout: FeedLayout, buffer: ArrayBufferLike, rows: number): Record<string, ort.Tensor> {
  const tensors: Record<string, ort.Tensor> = {};
  for (const feed of feedViews(layout, buffer, rows)) tensors[feed.name] = new ort.Tensor(feed.dtype, feed.data, feed.dims);
  return tensors;
}
