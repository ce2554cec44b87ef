// The demo gateway's error answers: JSON `{error: {status, code, message}}`, never Express's HTML page or a stack trace.
import type { NextFunction, Request, Response } from 'express';

/** Answers one error as JSON. */
export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { status, code, message } });
}

/** Body-parser failures by their `type`; anything else is a 500 with no detail (the detail goes to the server log). */
const BODY_ERRORS: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'ERR_GATEWAY_BAD_JSON', 'request body is not valid JSON'],
  'entity.too.large': [413, 'ERR_GATEWAY_BODY_TOO_LARGE', 'request body is too large'],
  'encoding.unsupported': [415, 'ERR_GATEWAY_ENCODING', 'unsupported content encoding'],
  'charset.unsupported': [415, 'ERR_GATEWAY_ENCODING', 'unsupported charset'],
};

/** Last middleware: unknown routes as a JSON 404. */
export function notFound(req: Request, res: Response): void {
  sendError(res, 404, 'ERR_GATEWAY_NOT_FOUND', `no route ${req.method} ${req.path}`);
}

/** Error middleware: JSON with a status and a code; logs unexpected errors once on the server side. */
export function jsonErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  const known = BODY_ERRORS[(err as { type?: string } | null)?.type ?? ''];
  if (known) return sendError(res, ...known);
  console.error('gateway error:', err);
  sendError(res, 500, 'ERR_GATEWAY_INTERNAL', 'internal error');
}
