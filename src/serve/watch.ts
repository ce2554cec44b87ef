// Watches the models root and reloads the pre-ranker when a new artifact directory appears (written atomically by the searcher).
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CARD_FILE } from '../schema/artifact.js';
import { optionError } from '../schema/errors.js';
import type { PreRanker } from './types.js';

export interface WatchOptions {
  /** Directory holding artifact directories (hidden `.name.tmp-*` ones are ignored). */
  readonly modelsRoot: string;
  /** Quiet time after a change before the directory is scanned. @default 250 */
  readonly debounceMs?: number;
  /** Also scan every `pollMs` (for file systems where fs.watch is unreliable); 0 = never. @default 0 */
  readonly pollMs?: number;
  /** Told about every reload attempt the watcher makes. @default ignore */
  readonly onReload?: (result: WatchReloadResult) => void;
}

export interface WatchReloadResult {
  readonly dir: string;
  readonly ok: boolean;
  readonly modelId?: string;
  readonly error?: Error;
}

export interface ModelWatcher {
  /** Scans now; resolves with the attempted reload, or null when nothing new appeared. */
  check(): Promise<WatchReloadResult | null>;
  close(): void;
}

interface Newest {
  readonly dir: string;
  readonly key: string;
}

/** The artifact directory whose model.json is newest (ties by name), or null. */
export async function newestArtifact(root: string): Promise<Newest | null> {
  let best: { dir: string; mtime: number } | null = null;
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = join(root, entry.name);
    const info = await stat(join(dir, CARD_FILE)).catch(() => null);
    if (!info) continue;
    if (!best || info.mtimeMs > best.mtime || (info.mtimeMs === best.mtime && dir > best.dir)) best = { dir, mtime: info.mtimeMs };
  }
  return best && { dir: best.dir, key: `${best.dir}@${best.mtime}` };
}

function parseOptions(options: WatchOptions) {
  if (typeof options?.modelsRoot !== 'string' || options.modelsRoot === '') throw optionError('modelsRoot', 'must be a directory path', options?.modelsRoot);
  const debounceMs = options.debounceMs ?? 250;
  if (!Number.isInteger(debounceMs) || debounceMs < 0) throw optionError('debounceMs', 'must be a non-negative integer', debounceMs);
  const pollMs = options.pollMs ?? 0;
  if (!Number.isInteger(pollMs) || pollMs < 0) throw optionError('pollMs', 'must be a non-negative integer', pollMs);
  return { root: resolve(options.modelsRoot), debounceMs, pollMs, onReload: options.onReload ?? (() => {}) };
}

/** `watchModels(preRanker, options)`: the artifact present at start is taken as loaded; each newer one is reloaded once. */
export function watchModels(preRanker: Pick<PreRanker, 'reload'>, options: WatchOptions): ModelWatcher {
  const config = parseOptions(options);
  let lastKey: string | null = null;
  let closed = false;
  let running: Promise<WatchReloadResult | null> | null = null;
  let again = false;
  const baseline = newestArtifact(config.root).then((n) => void (lastKey = n?.key ?? null));

  const scan = async (): Promise<WatchReloadResult | null> => {
    await baseline;
    const newest = await newestArtifact(config.root);
    if (closed || !newest || newest.key === lastKey) return null;
    lastKey = newest.key; // tried once per version, so a corrupt artifact is not retried in a loop
    const result: WatchReloadResult = await preRanker.reload(newest.dir).then(
      (card) => ({ dir: newest.dir, ok: true, modelId: card.modelId }),
      (error: Error) => ({ dir: newest.dir, ok: false, error }),
    );
    config.onReload(result);
    return result;
  };
  const check = (): Promise<WatchReloadResult | null> => {
    if (running) {
      again = true;
      return running;
    }
    running = scan().finally(() => {
      running = null;
      if (again && !closed) {
        again = false;
        void check();
      }
    });
    return running;
  };

  let timer: NodeJS.Timeout | null = null;
  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void check(), config.debounceMs).unref();
  };
  let fsWatcher: FSWatcher | null = null;
  try {
    fsWatcher = watch(config.root, { persistent: false }, schedule);
    fsWatcher.on('error', () => {});
  } catch {
    fsWatcher = null; // missing root or no fs.watch support: polling and explicit check() still work
  }
  const poll = config.pollMs > 0 ? setInterval(() => void check(), config.pollMs).unref() : null;
  return {
    check,
    close() {
      closed = true;
      fsWatcher?.close();
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
    },
  };
}
