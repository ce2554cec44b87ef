// Loads the optional peer `ioredis` on first use (hosts without Redis need not install it) and opens a client.
import type { Redis, RedisOptions } from 'ioredis';
import { autofasError } from '../schema/errors.js';

/** A new ioredis client; ERR_AUTOFAS_OPTION when `ioredis` is not installed. */
export async function connectRedis(url: string, options: RedisOptions): Promise<Redis> {
  let RedisClient: typeof Redis;
  try {
    ({ Redis: RedisClient } = await import('ioredis'));
  } catch (err) {
    throw autofasError('ERR_AUTOFAS_OPTION', 'the Redis store needs the optional peer dependency `ioredis` (npm install ioredis)', {}, err);
  }
  return new RedisClient(url, options);
}

