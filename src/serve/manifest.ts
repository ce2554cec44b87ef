// Builds plugin.manifest.json from the code itself: options JSON Schema, flags, metrics and admin routes (a test keeps them in sync).
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { preRankAdmin } from './admin.js';
import { DEFAULT_FLAGS, FLAG_KEYS } from './flags.js';
import { preRankMetrics } from './metrics.js';
import { CODE_OPTION_NAMES, preRankerOptionsJsonSchema } from './options.js';
import type { PreRanker, PreRankEventMap } from './types.js';

/** The manifest a gateway reads to place and configure the plugin. */
export interface PluginManifest {
  readonly name: string;
  readonly version: string;
  readonly entry: { readonly module: string; readonly export: string };
  readonly hop: { readonly after: 'matching'; readonly before: 'ranking' };
  readonly configuration: Record<string, unknown>;
  readonly codeOptions: readonly string[];
  readonly flags: readonly { readonly key: string; readonly type: string; readonly default: unknown }[];
  readonly metrics: readonly { readonly name: string; readonly type: string; readonly help: string }[];
  readonly admin: readonly { readonly method: string; readonly path: string; readonly auth: 'none' | 'bearer' }[];
}

const PACKAGE_JSON = new URL('../../../package.json', import.meta.url);

function flagEntries(): PluginManifest['flags'] {
  return (Object.keys(FLAG_KEYS) as (keyof typeof FLAG_KEYS)[]).map((name) => {
    const value = DEFAULT_FLAGS[name];
    const type = name === 'arm' ? 'string' : name === 'k' || name === 'teacherLogRate' ? 'number' : 'boolean';
    return { key: FLAG_KEYS[name], type, default: value ?? null };
  });
}

function metricEntries(): PluginManifest['metrics'] {
  const registry = new Registry();
  preRankMetrics({ events: new EventEmitter<PreRankEventMap>() }, { registry }).close();
  return registry
    .getMetricsAsArray()
    .map((m) => {
      const metric = m as unknown as { name: string; help: string; type?: string; constructor: { name: string } };
      return { name: metric.name, type: metric.type ?? metric.constructor.name.toLowerCase(), help: metric.help };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function adminEntries(): PluginManifest['admin'] {
  const stub = Object.assign(() => undefined, { events: new EventEmitter(), ready: () => false, models: () => ({ model: null, baseline: null }) });
  const router = preRankAdmin(stub as unknown as PreRanker);
  const routes: { method: string; path: string; auth: 'none' | 'bearer' }[] = [];
  const { stack } = router as unknown as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  for (const layer of stack) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods).filter((m) => layer.route?.methods[m])) {
      const upper = method.toUpperCase();
      routes.push({ method: upper, path: layer.route.path, auth: upper === 'GET' ? 'none' : 'bearer' });
    }
  }
  router.close();
  return routes;
}

/** The manifest as the current code defines it. */
export function buildManifest(): PluginManifest {
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { name: string; version: string; main: string };
  return {
    name: pkg.name,
    version: pkg.version,
    entry: { module: pkg.main, export: 'createPreRanker' },
    hop: { after: 'matching', before: 'ranking' },
    configuration: preRankerOptionsJsonSchema(),
    codeOptions: [...CODE_OPTION_NAMES, 'baseline (as { getContextEmbedding, getItemEmbeddings })'],
    flags: flagEntries(),
    metrics: metricEntries(),
    admin: adminEntries(),
  };
}
