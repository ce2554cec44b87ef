// Event listeners added together and removed together (the metrics and the status page follow the same emitters).

/** What `Subscriptions.on` needs of an emitter (a node EventEmitter has it). */
export interface Subscribable<E extends string> {
  on(event: E, handler: never): unknown;
  off(event: E, handler: never): unknown;
}

/** Listeners added with `on`; `close()` removes every one of them. */
export class Subscriptions {
  readonly #detach: (() => void)[] = [];

  on<E extends string>(emitter: Subscribable<E>, event: E, handler: (info: never) => void): void {
    emitter.on(event, handler as never);
    this.#detach.push(() => emitter.off(event, handler as never));
  }

  close(): void {
    this.#detach.splice(0).forEach((off) => off());
  }
}
