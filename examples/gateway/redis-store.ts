// The demo's item store on Redis ($REDIS_URL): item features from `autofas store load`, cross features computed by the world.
import { redisItemStore } from '../../src/index.js';
import type { RedisItemStore } from '../../src/index.js';
import type { WorldHops } from './world-hops.js';

/** Item features from Redis; the world's per-request cross features through `resolveCross`. */
export function worldRedisStore(url: string, hops: WorldHops): Promise<RedisItemStore> {
  return redisItemStore({ url, featureSpec: hops.world.spec, resolveCross: hops.store });
}
