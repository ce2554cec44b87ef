// MovieLens features for pre-ranking: user (context), movie (item) and user-history cross features of very
// different cost, computed from each user's earlier ratings only (the later ones are what the teacher predicts).
import { GENRES, type MovieLens, type Movie } from './data.js';

const G = GENRES.length;

/** Per-user history (earlier ratings) and future (later ratings), plus the statistics the features read. */
export interface History {
  readonly history: Map<string, string[]>;
  readonly future: Map<string, Map<string, number>>;
  readonly userMean: Map<string, number>;
  readonly userGenrePref: Map<string, Float32Array>;
  readonly userGenreRating: Map<string, Float32Array>;
  readonly userMeanYear: Map<string, number>;
  readonly itemPop: Map<string, number>;
  readonly itemMean: Map<string, number>;
  /** Co-rating counts between movies (dense, by numeric movie id). */
  readonly cooc: Int32Array;
  readonly maxItem: number;
  readonly globalMean: number;
}

/** Splits each user's ratings in time order: the first `share` is history, the rest future. */
export function buildHistory(ml: MovieLens, share = 0.7): History {
  const byUser = new Map<string, { item: string; rating: number; time: number }[]>();
  for (const r of ml.ratings) {
    let list = byUser.get(r.user);
    if (!list) byUser.set(r.user, (list = []));
    list.push(r);
  }
  const history = new Map<string, string[]>();
  const future = new Map<string, Map<string, number>>();
  const histRatings: { user: string; item: string; rating: number }[] = [];
  for (const [user, list] of byUser) {
    list.sort((a, b) => a.time - b.time || Number(a.item) - Number(b.item));
    const cut = Math.max(1, Math.round(list.length * share));
    history.set(user, list.slice(0, cut).map((r) => r.item));
    future.set(user, new Map(list.slice(cut).map((r) => [r.item, r.rating])));
    for (const r of list.slice(0, cut)) histRatings.push({ user, item: r.item, rating: r.rating });
  }
  const globalMean = histRatings.reduce((s, r) => s + r.rating, 0) / histRatings.length;
  const maxItem = Math.max(...[...ml.movies.keys()].map(Number));
  return { history, future, globalMean, maxItem, ...userStats(ml, histRatings, globalMean), ...itemStats(histRatings, globalMean), cooc: coocCounts(history, maxItem) };
}

function userStats(ml: MovieLens, ratings: readonly { user: string; item: string; rating: number }[], globalMean: number) {
  const sum = new Map<string, number>();
  const count = new Map<string, number>();
  const pref = new Map<string, Float32Array>();
  const genreDev = new Map<string, { sum: Float32Array; n: Float32Array }>();
  const yearSum = new Map<string, number>();
  for (const r of ratings) {
    sum.set(r.user, (sum.get(r.user) ?? 0) + r.rating);
    count.set(r.user, (count.get(r.user) ?? 0) + 1);
    const movie = ml.movies.get(r.item) as Movie;
    yearSum.set(r.user, (yearSum.get(r.user) ?? 0) + movie.year);
    let p = pref.get(r.user);
    if (!p) pref.set(r.user, (p = new Float32Array(G)));
    for (let g = 0; g < G; g++) p[g] += movie.genres[g];
  }
  const userMean = new Map([...sum].map(([u, s]) => [u, (s + 3 * globalMean) / ((count.get(u) as number) + 3)]));
  for (const r of ratings) {
    let d = genreDev.get(r.user);
    if (!d) genreDev.set(r.user, (d = { sum: new Float32Array(G), n: new Float32Array(G) }));
    const movie = ml.movies.get(r.item) as Movie;
    for (let g = 0; g < G; g++) {
      if (!movie.genres[g]) continue;
      d.sum[g] += r.rating - (userMean.get(r.user) as number);
      d.n[g] += 1;
    }
  }
  const userGenrePref = new Map([...pref].map(([u, p]) => [u, p.map((v) => v / (count.get(u) as number))]));
  const userGenreRating = new Map([...genreDev].map(([u, d]) => [u, d.sum.map((s, g) => s / (d.n[g] + 2))]));
  const userMeanYear = new Map([...yearSum].map(([u, s]) => [u, s / (count.get(u) as number)]));
  return { userMean, userGenrePref, userGenreRating, userMeanYear };
}

function itemStats(ratings: readonly { item: string; rating: number }[], globalMean: number) {
  const sum = new Map<string, number>();
  const itemPop = new Map<string, number>();
  for (const r of ratings) {
    sum.set(r.item, (sum.get(r.item) ?? 0) + r.rating);
    itemPop.set(r.item, (itemPop.get(r.item) ?? 0) + 1);
  }
  const itemMean = new Map([...sum].map(([i, s]) => [i, (s + 5 * globalMean) / ((itemPop.get(i) as number) + 5)]));
  return { itemPop, itemMean };
}

function coocCounts(history: Map<string, string[]>, maxItem: number): Int32Array {
  const cooc = new Int32Array((maxItem + 1) * (maxItem + 1));
  for (const items of history.values()) {
    const ids = items.map(Number);
    for (const a of ids) for (const b of ids) if (a !== b) cooc[a * (maxItem + 1) + b]++;
  }
  return cooc;
}

/** features.json for the example: costs follow what each value needs (free request fields to history scans). */
export function movieLensSpec(ml: MovieLens): object {
  const occupations = [...new Set([...ml.users.values()].map((u) => u.occupation))].sort();
  const f = (name: string, side: string, type: string, source: string, costUs: number, extra: object, description: string) =>
    ({ name, side, type, source, costUs, ...extra, description });
  return {
    version: 1,
    features: [
      f('user_age', 'context', 'numeric', 'request', 1, {}, 'user age'),
      f('user_gender', 'context', 'categorical', 'request', 1, { vocab: ['F', 'M'] }, 'user gender'),
      f('user_occupation', 'context', 'categorical', 'request', 1, { vocab: occupations }, 'user occupation'),
      f('user_zip3', 'context', 'categorical', 'request', 1, { hashBuckets: 256 }, 'first three digits of the zip code'),
      f('user_activity', 'context', 'numeric', 'store', 40, {}, 'log number of earlier ratings'),
      f('user_mean_rating', 'context', 'numeric', 'store', 40, {}, 'smoothed mean of earlier ratings'),
      f('user_genre_pref', 'context', 'vector', 'store', 150, { dim: G }, 'share of earlier ratings per genre'),
      f('item_year', 'item', 'numeric', 'request', 2, {}, 'release year'),
      f('item_genres', 'item', 'vector', 'request', 2, { dim: G }, 'multi-hot genres'),
      f('item_popularity', 'item', 'numeric', 'store', 40, {}, 'log number of earlier ratings of the movie'),
      f('item_mean_rating', 'item', 'numeric', 'store', 40, {}, 'smoothed mean rating of the movie'),
      f('item_id', 'item', 'categorical', 'store', 20, { hashBuckets: 4096 }, 'movie id'),
      f('genre_affinity', 'cross', 'numeric', 'store', 300, {}, "the user's share of history in the movie's genres (needs the history)"),
      f('genre_rating_affinity', 'cross', 'numeric', 'store', 250, {}, "the user's mean rating deviation on the movie's genres"),
      f('cooc_score', 'cross', 'numeric', 'store', 500, {}, 'mean co-rating cosine between the movie and the history'),
      f('year_gap', 'cross', 'numeric', 'store', 100, {}, "distance of the release year to the user's mean year"),
    ],
  };
}

/** The context features of a user. */
export function userContext(ml: MovieLens, h: History, user: string): Record<string, number | string | number[]> {
  const u = ml.users.get(user);
  if (!u) throw new Error(`unknown user ${user}`);
  return {
    user_age: u.age,
    user_gender: u.gender,
    user_occupation: u.occupation,
    user_zip3: u.zip,
    user_activity: Math.log1p(h.history.get(user)?.length ?? 0),
    user_mean_rating: round(h.userMean.get(user) ?? h.globalMean),
    user_genre_pref: [...(h.userGenrePref.get(user) ?? new Float32Array(G))].map(round),
  };
}

/** The item and cross features of a (user, movie) pair. */
export function candidateFeatures(ml: MovieLens, h: History, user: string, item: string): Record<string, number | string | number[]> {
  const movie = ml.movies.get(item) as Movie;
  const pref = h.userGenrePref.get(user) ?? new Float32Array(G);
  const dev = h.userGenreRating.get(user) ?? new Float32Array(G);
  let genres = 0;
  let affinity = 0;
  let ratingAffinity = 0;
  for (let g = 0; g < G; g++) {
    if (!movie.genres[g]) continue;
    genres++;
    affinity += pref[g];
    ratingAffinity += dev[g];
  }
  const pop = h.itemPop.get(item) ?? 0;
  const hist = h.history.get(user) ?? [];
  let cooc = 0;
  if (pop > 0) {
    const row = Number(item);
    for (const other of hist) cooc += h.cooc[Number(other) * (h.maxItem + 1) + row] / Math.sqrt(pop * (h.itemPop.get(other) ?? 1));
  }
  return {
    item_year: movie.year,
    item_genres: [...movie.genres],
    item_popularity: round(Math.log1p(pop)),
    item_mean_rating: round(h.itemMean.get(item) ?? h.globalMean),
    item_id: item,
    genre_affinity: round(genres ? affinity / genres : 0),
    genre_rating_affinity: round(genres ? ratingAffinity / genres : 0),
    cooc_score: round(hist.length ? cooc / hist.length : 0),
    year_gap: round(Math.abs(movie.year - (h.userMeanYear.get(user) ?? movie.year)) / 10),
  };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
