// `autofas profile --store`: per store feature, the time of one batched fetch (HMGET of a candidate list, decoded) on a live Redis.
import type { Redis } from 'ioredis';
import type { FeatureCosts } from '../schema/feature-costs.js';
import type { Feature, FeatureSpec } from '../schema/feature-spec.js';
import type { RawFeatureValue } from '../schema/teacher-log.js';
import { createRng, type Rng } from '../util/random.js';
import { quantile } from '../util/stats.js';
import { decodeStoreColumn, encodeStoreValue, redisKeys } from '../serve/redis-layout.js';

export interface StoreProfileOptions {
  readonly url: string;
  readonly prefix: string;
  readonly candidates: number;
  readonly requests: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** One measured feature: the key, the ids asked (one for a context feature) and whether the data was loaded or probed. */
interface Target {
  readonly feature: Feature;
  readonly key: string;
  readonly ids: readonly string[];
  readonly data: 'loaded' | 'probe';
  readonly times: number[];
  bytes: number;
}

/** A spec-shaped value for a probe: what a real value of that feature costs to move and decode. */
function probeValue(feature: Feature, rng: Rng): RawFeatureValue {
  if (feature.type === 'numeric') return Number((rng.normal() * 100).toPrecision(4));
  if (feature.type === 'vector') return Array.from({ length: feature.dim }, () => rng.normal());
  return feature.vocab ? feature.vocab[Math.floor(rng.next() * feature.vocab.length)] : `value-${Math.floor(rng.next() * 1e6)}`;
}

/** Loaded ids of an item feature (a random sample, repeated to `n` when the hash is smaller), or probe ids and values. */
async function target(client: Redis, feature: Feature, options: StoreProfileOptions, rng: Rng): Promise<Target> {
  const n = feature.side === 'context' ? 1 : options.candidates;
  const key = redisKeys.item(options.prefix, feature.name);
  if (feature.side === 'item' && (await client.hlen(key)) > 0) {
    const sample = (await client.hrandfield(key, n)) as string[];
    const ids = Array.from({ length: n }, (_, i) => sample[i % sample.length]);
    return { feature, key, ids, data: 'loaded', times: [], bytes: 0 };
  }
  const probe = redisKeys.probe(options.prefix, feature.name);
  const ids = Array.from({ length: n }, (_, i) => `probe-${i}`);
  await client.del(probe);
  for (let i = 0; i < n; i += 1000) {
    await client.hset(probe, ...ids.slice(i, i + 1000).flatMap((id) => [id, encodeStoreValue(feature, probeValue(feature, rng))]));
  }
  return { feature, key: probe, ids, data: 'probe', times: [], bytes: 0 };
}

/** Microseconds of one fetch of `t` (the reply decoded as the plugin's store does). */
async function timeFetch(client: Redis, t: Target): Promise<number> {
  const start = process.hrtime.bigint();
  const replies = await client.hmgetBuffer(t.key, ...t.ids);
  decodeStoreColumn(t.feature, t.key, t.ids, replies, new Array(t.ids.length));
  const us = Number(process.hrtime.bigint() - start) / 1000;
  t.bytes = replies.reduce((sum, r) => sum + (r?.length ?? 0), 0);
  return us;
}

function summary(times: readonly number[]): { p50: number; p99: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: Math.round(quantile(sorted, 0.5) * 10) / 10, p99: Math.round(quantile(sorted, 0.99) * 10) / 10 };
}

/**
 * Times every store feature of the spec over `requests` rounds after 3 warm-up rounds. Each round fetches every feature
 * once, in a rotating order, so drift in the machine's load touches all features alike; a PING per round gives the
 * bare round trip. Probe keys are removed at the end.
 */
export async function profileStore(client: Redis, spec: FeatureSpec, options: StoreProfileOptions): Promise<FeatureCosts> {
  const rng = createRng(1);
  const targets: Target[] = [];
  for (const f of spec.features.filter((x) => x.source === 'store')) targets.push(await target(client, f, options, rng));
  const pings: number[] = [];
  try {
    for (let round = -3; round < options.requests; round++) {
      const start = process.hrtime.bigint();
      await client.ping();
      if (round >= 0) pings.push(Number(process.hrtime.bigint() - start) / 1000);
      for (let j = 0; j < targets.length; j++) {
        const t = targets[(j + Math.max(0, round)) % targets.length];
        const us = await timeFetch(client, t);
        if (round >= 0) t.times.push(us);
      }
      if (round >= 0) options.onProgress?.(round + 1, options.requests);
    }
  } finally {
    const probes = targets.filter((t) => t.data === 'probe').map((t) => t.key);
    if (probes.length > 0) await client.del(...probes);
  }
  return costsFile(targets, pings, options);
}

function costsFile(targets: readonly Target[], pings: readonly number[], options: StoreProfileOptions): FeatureCosts {
  const features: FeatureCosts['features'] = {};
  for (const t of targets) {
    const { p50, p99 } = summary(t.times);
    features[t.feature.name] = { side: t.feature.side, data: t.data, bytes: t.bytes, p50Us: p50, p99Us: p99 };
  }
  return {
    version: 1,
    store: options.url.replace(/\/\/[^@/]*@/, '//'),
    candidates: options.candidates,
    requests: options.requests,
    measuredAt: new Date().toISOString(),
    pingUs: summary(pings),
    features,
  };
}
