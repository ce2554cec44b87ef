// How long a scoring worker polls its port for the next task before it sleeps, and the nudge that wakes it early.

/** A message that only wakes a sleeping worker ahead of a run (sent while the host encodes), so the run finds it polling. */
export const NUDGE = 'nudge';

/**
 * How long to poll for the next task: while tasks lately came within `spinUs` of each other, a little longer than the
 * usual gap (so the next one is caught without a wake-up); when they come further apart, not at all (polling would
 * only burn a core the host's event loop may need).
 */
export function pollMs(spinUs: number, gapMs: number | undefined): number {
  const spinMs = spinUs / 1000;
  if (gapMs === undefined) return spinMs;
  return gapMs < spinMs ? Math.min(spinMs, 2 * gapMs) : 0;
}
