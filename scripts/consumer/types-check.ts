// Compile-time checks of the plugin's published types (never run), with no DOM lib: res.locals is typed by importing
// the package, and hooks typed with Express's own Request/Response are accepted.
import type { Request, Response } from 'express';
import { createPreRanker, teacherLogger } from 'autofas';
import type { PreRankRecord, SearchState } from 'autofas';
import { parseFeatureSpec } from 'autofas/schema';

export function readLocals(res: Response): [SearchState | undefined, PreRankRecord | undefined] {
  // @ts-expect-error `search` is typed through Express.Locals, so a number does not fit (an untyped `any` would).
  res.locals.search = 42;
  return [res.locals.search, res.locals.preRank];
}

export const withHooks = () =>
  createPreRanker({
    model: 'models/current',
    getContext: (req: Request) => (req.body as { context: unknown }).context,
    getUnitId: (req: Request, res: Response) => String(res.locals.search?.unitId ?? req.ip),
  });

export const logger = () => teacherLogger({ requestId: (req: Request) => req.get('x-request-id') });
export const schema = [parseFeatureSpec] as const;
