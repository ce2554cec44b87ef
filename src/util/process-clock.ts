// A millisecond clock every thread of the process shares (each thread's performance.now() starts at its own origin).
import { performance } from 'node:perf_hooks';

/** Milliseconds since the epoch, sub-millisecond and monotonic within the process, comparable across threads. */
export function processClockMs(): number {
  return performance.timeOrigin + performance.now();
}
