// Turns of the test process's event loop: for tests that wait on a worker or on polling without reading any clock.

/** One turn of the event loop (a setImmediate). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `n` turns of the event loop. */
export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await turn();
}

/** Turns the event loop until `done()`; fails naming `what` after a million turns (something that never happens). */
export async function until(what: string, done: () => boolean): Promise<void> {
  for (let n = 0; !done(); n++) {
    if (n > 1_000_000) throw new Error(`never ${what}`);
    await turn();
  }
}
