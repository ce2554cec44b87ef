// Reads MovieLens 100K in RecBole's atomic layout (ml-100k.inter / .user / .item) into plain arrays.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const GENRES = [
  'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy', 'Film-Noir',
  'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western', 'unknown',
] as const;

export interface User {
  readonly id: string;
  readonly age: number;
  readonly gender: string;
  readonly occupation: string;
  readonly zip: string;
}

export interface Movie {
  readonly id: string;
  readonly year: number;
  /** Multi-hot over GENRES. */
  readonly genres: Float32Array;
}

export interface Rating {
  readonly user: string;
  readonly item: string;
  readonly rating: number;
  readonly time: number;
}

export interface MovieLens {
  readonly users: Map<string, User>;
  readonly movies: Map<string, Movie>;
  readonly ratings: Rating[];
}

async function rows(dir: string, file: string): Promise<string[][]> {
  const text = await readFile(join(dir, file), 'utf8');
  return text
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('\t'));
}

/** Loads the three files of `dir`. */
export async function loadMovieLens(dir: string): Promise<MovieLens> {
  const users = new Map<string, User>();
  for (const [id, age, gender, occupation, zip] of await rows(dir, 'ml-100k.user')) {
    users.set(id, { id, age: Number(age), gender, occupation, zip: zip.slice(0, 3) });
  }
  const movies = new Map<string, Movie>();
  for (const [id, , year, classes] of await rows(dir, 'ml-100k.item')) {
    const genres = new Float32Array(GENRES.length);
    for (const g of (classes ?? '').split(' ')) {
      const at = GENRES.indexOf(g as (typeof GENRES)[number]);
      if (at >= 0) genres[at] = 1;
    }
    movies.set(id, { id, year: Number(year) || 1995, genres });
  }
  const ratings = (await rows(dir, 'ml-100k.inter')).map(([user, item, rating, time]) => ({ user, item, rating: Number(rating), time: Number(time) }));
  return { users, movies, ratings };
}
