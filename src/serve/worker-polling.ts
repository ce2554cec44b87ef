// How long a scoring worker polls for the next task before it sleeps, and how it sleeps.

/**
 * How long a sleeping worker stays blocked before it lets its own event loop turn once (a session release waiting on
 * it), then sleeps again. A run or a nudge wakes it at once, whatever the slice.
 */
export const SLEEP_SLICE_MS = 100;

/** How long a worker woken from sleep polls for a run (a nudge comes ahead of the run it announces). */
export const WOKEN_POLL_MS = 2;

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
