// Requests of the serving benchmark's in-process sections: the fixture world's (user, query) pairs, their candidates,
// and a store that answers every read from memory.
import type { WorldHops } from '../examples/gateway/world-hops.js';
import type { ItemStore, SearchState } from '../src/index.js';

/** `count` requests of the fixture world (user x query), with every store read answered from memory so store time is ~0. */
export function benchRequests(hops: WorldHops, count: number, candidates: number): { searches: () => SearchState[]; search: (i: number) => SearchState; store: ItemStore } {
  const pairs = Array.from({ length: count }, (_, r) => [hops.world.users.ids[(r * 37) % hops.world.users.ids.length], hops.world.queries.ids[(r * 11) % hops.world.queries.ids.length]]);
  const memo = new Map<string, Promise<readonly unknown[]>>();
  const store: ItemStore = {
    get(ids, names, context) {
      const key = `${names.join()}|${context.user_id}|${context.query_id}|${ids.length}|${ids[0]}`;
      if (!memo.has(key)) memo.set(key, hops.store.get(ids, names, context));
      return memo.get(key) as never;
    },
  };
  const search = (i: number): SearchState => {
    const [u, q] = pairs[i % pairs.length];
    return { context: hops.context(u, q) as SearchState['context'], candidates: hops.match(u, q, candidates), unitId: u };
  };
  const searches = (): SearchState[] => pairs.map((_, i) => search(i));
  return { searches, search, store };
}

/** A request as a gateway gets it from a matching service's answer: through JSON, so every item id is a new string. */
export function parsedCopy(search: SearchState): SearchState {
  return JSON.parse(JSON.stringify(search)) as SearchState;
}
