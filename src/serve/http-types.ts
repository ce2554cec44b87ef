// The few parts of the host's HTTP objects the plugin touches, as structural types (Express 4 and 5 both fit, and the
// published types need neither @types/express nor one Express version), plus the `res.locals` it reads and writes.
import type { PreRankRecord, SearchState } from './types.js';

declare global {
  // Augments Express's `res.locals` (the namespace is Express's; a consumer gets this by importing the package).
  namespace Express {
    interface Locals {
      /** Written by the matching hop, read and rewritten (kept candidates) by the pre-ranker. */
      search?: SearchState;
      /** Written by the pre-ranker: arm, scoring path, model id, counts, latency, fallback reason. */
      preRank?: PreRankRecord;
    }
  }
}

/** What the plugin reads from a request: one header at a time (Express's `req.get`). */
export interface HostRequest {
  get(name: string): string | undefined;
}

/** What the plugin uses of a response: `res.locals` and the end-of-response event. */
export interface HostResponse {
  locals: Record<string, any> & Express.Locals;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/** Express's `next`. */
export type HostNext = (err?: unknown) => void;

/** A middleware as Express 4 and 5 call it. */
export type HostMiddleware = (req: HostRequest, res: HostResponse, next: HostNext) => void;
