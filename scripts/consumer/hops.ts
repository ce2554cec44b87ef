// The consumer gateway's own hops around the pre-ranker (what the README's snippet imports from './hops.js').
import type { NextFunction, Request, Response } from 'express';
import type { Candidate } from 'autofas';

/** Matching: here the request body carries the context and the matched candidates. */
export function matchingHop(req: Request, res: Response, next: NextFunction): void {
  const body = req.body as { context: Record<string, number | string>; candidates: Candidate[] };
  res.locals.search = { context: body.context, candidates: body.candidates };
  next();
}

/** Ranking: keeps the pre-ranker's order (a real gateway runs its ranking model here). */
export function rankingHop(_req: Request, res: Response, next: NextFunction): void {
  const kept = res.locals.search?.candidates ?? [];
  res.locals.ranked = kept.slice(0, 10).map((c) => ({ item_id: c.item_id, preRankScore: c.preRankScore }));
  next();
}

export function respond(_req: Request, res: Response): void {
  res.json({ results: res.locals.ranked, preRank: res.locals.preRank });
}
