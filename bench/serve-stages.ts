// Stages section of the serving benchmark: the steps of one request (the main thread's and the worker's copy of cached
// rows), timed one by one, in process, for the bundled model and a 17-feature one; and the row cache's lookups one by
// one vs batched.
import { defaultBaseline, defaultModel } from '../examples/gateway/app.js';
import { loadArtifact } from '../src/schema/artifact.js';
import { FeaturePlan } from '../src/serve/feature-plan.js';
import { preRankerJsonOptionsSchema } from '../src/serve/options.js';
import { WorkerRows } from '../src/serve/row-gather.js';
import { RowSlab } from '../src/serve/row-slab.js';
import { orderByScore } from '../src/util/order-by-score.js';
import type { Candidate } from '../src/index.js';
import type { benchRequests } from './serve-requests.js';
import { parsedCopy } from './serve-requests.js';
import { f, pct } from './serve-stats.js';

type Requests = ReturnType<typeof benchRequests>;

const REQUESTS = Number(process.env.SERVE_STAGE_REQUESTS ?? 3000);
/** The plugin's defaults for the item-feature cache (`itemCacheSize`, `itemCacheTtlMs`). */
const ROW_CACHE = { max: preRankerJsonOptionsSchema.shape.itemCacheSize.parse(undefined), ttlMs: preRankerJsonOptionsSchema.shape.itemCacheTtlMs.parse(undefined) };

const STAGES = ['ids', 'encode request features', 'row cache lookups', 'worker: copy of cached rows', 'cross rows', 'top-k', 'lookups one by one', 'lookups batched'] as const;
type Times = Record<(typeof STAGES)[number], number[]>;

function noTimes(): Times {
  return Object.fromEntries(STAGES.map((k) => [k, []])) as unknown as Times;
}

function timed<T>(times: number[], step: () => T): T {
  const start = performance.now();
  const out = step();
  times.push((performance.now() - start) * 1000);
  return out;
}

/** Runs REQUESTS requests' main-thread steps on one model's plan; store rows come from memory, outside the timings. */
async function stagesOf({ search, store }: Requests, model: string, parsed: boolean): Promise<{ features: number; times: Times }> {
  const card = (await loadArtifact(model, { checkOnnx: false })).card;
  const plan = new FeaturePlan(card, { storeFromCandidates: false, rowCache: { ...ROW_CACHE, shared: true } });
  const worker = new WorkerRows(); // the worker's side, in process
  worker.add(1, plan.rowGather, plan.layout);
  const slab = new RowSlab({ max: ROW_CACHE.max }, 1); // the same ids, for the lookups side by side (no lifetime: `slot` then reads no clock)
  const times = noTimes();
  const rows = search(0).candidates.length;
  const slots = new Int32Array(rows);
  // 50 score vectors taken in turn, as 50 requests' answers would be (one fixed vector would stay in cache).
  const scores = Array.from({ length: 50 }, (_, r) => Float32Array.from({ length: rows }, (_, i) => Math.sin(r * 7919 + i * 104729)));
  for (let i = -200; i < REQUESTS; i++) {
    const at = i < 0 ? noTimes() : times; // 200 warm-up requests fill the caches
    const request = search(i + 200); // the overhead section's 50 requests, so the store answers from its memo
    const { context, candidates: list } = (parsed ? parsedCopy(request) : request) as { context: Record<string, never>; candidates: Candidate[] };
    const cross = plan.storeCrossNames.length > 0 ? await store.get(list.map((c) => c.item_id), plan.storeCrossNames, context) : null;
    const ids = timed(at.ids, () => list.map((c) => c.item_id));
    // In the plugin's order (encodeRequest): the lookups first, then the request's own features; the buffer untimed.
    const encoding = plan.newEncoding(list.length);
    const missAt = timed(at['row cache lookups'], () => plan.findCachedRows(encoding, ids));
    timed(at['encode request features'], () => {
      plan.encodeContext(encoding, context);
      plan.encodeCandidates(encoding, list);
    });
    if (missAt.length > 0) plan.encodeStoreRows(encoding, await store.get(missAt.map((m) => ids[m]), plan.storeFeatureNames, context), missAt, ids);
    if (plan.rowGather) worker.done(timed(at['worker: copy of cached rows'], () => worker.columns(1, encoding.batch.buffer, rows)).buffer);
    encoding.batch.dropHold();
    if (cross) timed(at['cross rows'], () => plan.encodeCrossRows(encoding, cross));
    timed(at['top-k'], () => orderByScore(scores[(i + 200) % scores.length], 100));
    if ((i & 1) === 0) {
      timed(at['lookups one by one'], () => {
        for (let r = 0; r < ids.length; r++) slots[r] = slab.slot(ids[r]);
      });
    }
    else timed(at['lookups batched'], () => slab.slotsOf(ids, ids.length, slots));
    for (const id of ids) if (slab.slot(id) < 0) slab.put(id, [0]);
  }
  return { features: plan.featureNames.length, times };
}

/**
 * The steps of a request, each timed alone (p50, µs): on the main thread the ids, the request features' encoding
 * (context and candidates), the row cache's lookups, the cross rows, the top-k; the worker's copy of the cached rows
 * (which overlaps the encoding when the rows are sent ahead). In process and without a worker thread, so the caches
 * are warmer than in the overhead section: these show where the time goes, not the overhead. Then the row cache's
 * lookups both ways, alternating request by request on a slab of the same ids.
 */
export async function stagesSection(requests: Requests): Promise<void> {
  const candidates = requests.search(0).candidates.length;
  const models = [defaultModel(), defaultBaseline()].filter((m): m is string => m !== null);
  console.log(`stages of a request, ${candidates} candidates, ${REQUESTS} requests each, p50 us (lookups: alternate requests)`);
  for (const model of models) {
    for (const parsed of [false, true]) {
      const { features, times } = await stagesOf(requests, model, parsed);
      const cells = Object.entries(times).filter(([, xs]) => xs.length > 0).map(([k, xs]) => `${k} ${f(pct(xs, 0.5), 1)}`);
      console.log(`  ${model.split('/').slice(-2).join('/')}, ${features} features, candidates ${parsed ? 'parsed from JSON' : 'made just before'}: ${cells.join('; ')}`);
      const [one, batch] = [pct(times['lookups one by one'], 0.5), pct(times['lookups batched'], 0.5)];
      console.log(`    row cache lookups batched / one by one: ${f(batch / one, 2)}`);
    }
  }
}
