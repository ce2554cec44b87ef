// Watches the models root and reloads the pre-ranker when a new artifact directory appears (written atomically by the searcher).
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CARD_FILE } from '../schema/artifact.js';
import { intOption } from '../schema/option-values.js';
import { optionError } from '../schema/errors.js';
import { checkKnownOptions, given } from './known-options.js';
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
  checkKnownOptions(options, ['modelsRoot', 'debounceMs', 'pollMs', 'onReload'], 'watchModels');
  if (typeof options?.modelsRoot !== 'string' || options.modelsRoot === '') throw optionError('modelsRoot', 'must be a directory path', options?.modelsRoot);
  const debounceMs = intOption('debounceMs', options.debounceMs, 250, 0);
  const pollMs = intOption('pollMs', options.pollMs, 0, 0);
  const onReload = given(options.onReload, () => {});
  if (typeof onReload !== 'function') throw optionError('onReload', 'must be a function', onReload);
  return { root: resolve(options.modelsRoot), debounceMs, pollMs, onReload };
}

type WatchConfig = ReturnType<typeof parseOptions>;

/** The scan-and-reload logic: one scan at a time, a change during a scan triggers one more. */
class Watcher implements ModelWatcher {
  private lastKey: string | null = null;
  private closed = false;
  private running: Promise<WatchReloadResult | null> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly baseline: Promise<void>;
  private readonly fsWatcher: FSWatcher | null;
  private readonly poll: NodeJS.Timeout | null;

  constructor(private readonly preRanker: Pick<PreRanker, 'reload'>, private readonly config: WatchConfig) {
    this.baseline = newestArtifact(config.root).then((n) => void (this.lastKey = n?.key ?? null));
    this.fsWatcher = this.startFsWatch();
    this.poll = config.pollMs > 0 ? setInterval(() => void this.check(), config.pollMs).unref() : null;
  }

  check(): Promise<WatchReloadResult | null> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.scan().finally(() => {
      this.running = null;
      if (this.again && !this.closed) {
        this.again = false;
        void this.check();
      }
    });
    return this.running;
  }

  close(): void {
    this.closed = true;
    this.fsWatcher?.close();
    if (this.timer) clearTimeout(this.timer);
    if (this.poll) clearInterval(this.poll);
  }

  private startFsWatch(): FSWatcher | null {
    try {
      const watcher = watch(this.config.root, { persistent: false }, () => this.schedule());
      watcher.on('error', () => {});
      return watcher;
    } catch {
      return null; // missing root or no fs.watch support: polling and explicit check() still work
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), this.config.debounceMs).unref();
  }

  private async scan(): Promise<WatchReloadResult | null> {
    await this.baseline;
    const newest = await newestArtifact(this.config.root);
    if (this.closed || !newest || newest.key === this.lastKey) return null;
    this.lastKey = newest.key; // tried once per version, so a corrupt artifact is not retried in a loop
    const result: WatchReloadResult = await this.preRanker.reload(newest.dir).then(
      (card) => ({ dir: newest.dir, ok: true, modelId: card.modelId }),
      (error: Error) => ({ dir: newest.dir, ok: false, error }),
    );
    this.config.onReload(result);
    return result;
  }
}

/** `watchModels(preRanker, options)`: the artifact present at start is taken as loaded; each newer one is reloaded once. */
export function watchModels(preRanker: Pick<PreRanker, 'reload'>, options: WatchOptions): ModelWatcher {
  return new Watcher(preRanker, parseOptions(options));
}
