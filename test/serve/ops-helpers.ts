// Shared helpers of the operations tests: temp dirs, a fake clock, reading rotated logs back, a fake pre-ranker.
import { EventEmitter } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ModelCard } from '../../src/schema/model-card.js';
import type { ActiveModels, PreRanker, PreRankEventMap, PreRankStats } from '../../src/serve/types.js';

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `autofas-${tag}-`));
}

export class FakeClock {
  constructor(public t = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Completed log files of a directory (not `.part`), sorted by name. */
export function logFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.jsonl(\.gz)?$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The lines of one log file (gunzipped when .gz). */
export function readLines(file: string): string[] {
  const bytes = readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  return text.split('\n').filter((l) => l !== '');
}

/** A PreRanker stand-in for router tests: `reload` runs the given function; events can be emitted by hand. */
export function fakePreRanker(reload: (dir: string) => Promise<ModelCard>, ready = true): PreRanker & { reloads: string[] } {
  const reloads: string[] = [];
  let models: ActiveModels = { model: null, baseline: null };
  const middleware = ((_req: unknown, _res: unknown, next: () => void) => next()) as unknown as PreRanker;
  return Object.assign(middleware, {
    events: new EventEmitter<PreRankEventMap>(),
    reloads,
    async reload(dir: string) {
      reloads.push(dir);
      const card = await reload(dir);
      models = { model: card, baseline: null };
      return card;
    },
    stats: () => ({ breaker: 'closed' }) as PreRankStats,
    models: () => models,
    ready: () => ready,
    close: async () => {},
  });
}
