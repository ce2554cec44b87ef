// `autofas store load`: fills the Redis feature store the plugin's `redisItemStore` reads, from teacher logs.
import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import { autofasError } from '../schema/errors.js';
import { loadFeatureSpec } from '../schema/feature-spec.js';
import { connectRedis } from '../serve/redis-client.js';
import { DEFAULT_KEY_PREFIX } from '../serve/redis-layout.js';
import { collectItemValues, storeItemFeatures, writeItemValues } from './store-load.js';

interface StoreLoadFlags {
  features: string;
  logs: string[];
  redis: string;
  prefix: string;
  quiet?: boolean;
}

/** A connected client for a CLI command: connection problems end the command with ERR_AUTOFAS_STORE instead of retrying forever. */
export async function openCliRedis(url: string): Promise<Redis> {
  const client = await connectRedis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw autofasError('ERR_AUTOFAS_STORE', `cannot connect to ${url} (${(err as Error).message})`, { url }, err);
  }
  return client;
}

/** Loads the logs' latest item values into Redis; prints progress unless quiet, and the count at the end. */
export async function runStoreLoad(flags: StoreLoadFlags, out: (line: string) => void): Promise<{ items: number; values: number }> {
  const spec = await loadFeatureSpec(flags.features);
  const features = storeItemFeatures(spec);
  if (features.length === 0) throw autofasError('ERR_AUTOFAS_FEATURE_SPEC', `${flags.features}: no item feature with source "store" to load`, { path: flags.features });
  const say = flags.quiet ? () => undefined : out;
  const { values, lines } = await collectItemValues(flags.logs, features, (n) => say(`read ${n} log lines`));
  const client = await openCliRedis(flags.redis);
  try {
    const written = await writeItemValues(client, values, features, flags.prefix, 1000, (n) => say(`wrote ${n} values`));
    out(`loaded ${values.size} items (${written} values of ${features.length} features: ${features.map((f) => f.name).join(', ')}) from ${lines} log lines into ${flags.redis}`);
    return { items: values.size, values: written };
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
}

/** Registers `autofas store load` on the CLI program. */
export function registerStoreCommand(program: Command): void {
  const store = program.command('store').description('the Redis feature store the plugin reads with redisItemStore');
  store
    .command('load')
    .description('write the latest value of every store item feature found in teacher logs into Redis (one hash per feature)')
    .requiredOption('--features <file>', 'feature spec (features.json)')
    .requiredOption('--logs <files...>', 'teacher logs (.jsonl or .jsonl.gz), oldest first')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .option('--prefix <prefix>', 'key prefix', DEFAULT_KEY_PREFIX)
    .option('--quiet', 'no progress lines')
    .action(async (flags: StoreLoadFlags) => {
      await runStoreLoad(flags, (line) => process.stdout.write(`${line}\n`));
    });
}
