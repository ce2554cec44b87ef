// Admin router of the pre-ranker: health, active model cards, token-guarded hot reload under a models root, metrics.
import { createHash, timingSafeEqual } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { HostMiddleware } from './http-types.js';
import type { Registry } from 'prom-client';
import { optionError } from '../schema/errors.js';
import { checkKnownOptions, isOptionsObject } from './known-options.js';
import type { AutofasErrorCode } from '../schema/errors.js';
import { isRegistry } from './metrics.js';
import type { PreRankMetrics } from './metrics.js';
import type { PreRankStatus } from './status.js';
import { statusPage } from './status-page.js';
import type { PreRanker } from './types.js';
import { watchModels } from './watch.js';
import type { ModelWatcher, WatchOptions } from './watch.js';

export interface AdminOptions {
  /** Bearer token of the mutating routes (`POST /reload`), compared in constant time. @default none: they are disabled */
  readonly token?: string;
  /** Only artifact directories under this directory may be loaded by `POST /reload` and the watcher. @default none: reload disabled */
  readonly modelsRoot?: string;
  /** Served at `GET /metrics`. @default none: `GET /metrics` answers 404 */
  readonly metrics?: PreRankMetrics | Registry;
  /** Served as the status page at `GET /` and `GET /status.json`. @default none: both answer 404 */
  readonly status?: PreRankStatus;
  /** Reload when a new artifact directory appears under `modelsRoot`. @default false */
  readonly watch?: boolean | Omit<WatchOptions, 'modelsRoot'>;
}

/** The router plus `close()`, which stops the watcher. */
export type PreRankAdminRouter = HostMiddleware & { close(): void; readonly watcher: ModelWatcher | null };

interface AdminConfig {
  readonly tokenDigest: Buffer | null;
  readonly modelsRoot: string | null;
  readonly registry: Registry | null;
  readonly status: PreRankStatus | null;
  readonly watch: Omit<WatchOptions, 'modelsRoot'> | null;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

function parseOptions(options: AdminOptions): AdminConfig {
  checkKnownOptions(options, ['token', 'modelsRoot', 'metrics', 'status', 'watch'], 'preRankAdmin');
  const { token, modelsRoot, metrics, status, watch } = options;
  if (status !== undefined && typeof (status as { snapshot?: unknown } | null)?.snapshot !== 'function') throw optionError('status', 'must be a PreRankStatus', status);
  if (token !== undefined && (typeof token !== 'string' || token.length < 16)) {
    throw optionError('token', 'must be a string of at least 16 characters', token === undefined ? token : '<redacted>');
  }
  if (modelsRoot !== undefined && (typeof modelsRoot !== 'string' || modelsRoot === '')) throw optionError('modelsRoot', 'must be a directory path', modelsRoot);
  const registry = metrics === undefined ? null : isRegistry(metrics) ? metrics : isOptionsObject(metrics) ? metrics.registry : null;
  if (metrics !== undefined && !isRegistry(registry)) throw optionError('metrics', 'must be a PreRankMetrics or a prom-client Registry', metrics);
  if (watch !== undefined && typeof watch !== 'boolean' && !isOptionsObject(watch)) throw optionError('watch', 'must be a boolean or watch options', watch);
  if (watch && !modelsRoot) throw optionError('watch', 'needs `modelsRoot`', watch);
  return {
    tokenDigest: token === undefined ? null : digest(token),
    modelsRoot: modelsRoot === undefined ? null : resolve(modelsRoot),
    registry,
    status: status ?? null,
    watch: watch ? (watch === true ? {} : watch) : null,
  };
}

function fail(res: Response, status: number, code: AutofasErrorCode | string, message: string): void {
  res.status(status).json({ error: { status, code, message } });
}

const BODY_LIMIT_BYTES = 4096;

/** The status page loads nothing from anywhere but its own inline code and `status.json`. */
const STATUS_PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'";

/**
 * The reload body, at most 4 KB, also when the host parsed bodies before the router (a global `express.json()`
 * with a larger limit): then the declared length, else the parsed body's size, is checked instead.
 */
function limitedJsonBody(): (req: Request, res: Response, next: NextFunction) => void {
  const parse = express.json({ limit: BODY_LIMIT_BYTES });
  return function reloadBody(req, res, next) {
    const consumed = (req as { _body?: boolean })._body === true || req.readableEnded; // Express 4's or 5's body-parser ran
    if (!consumed) return parse(req, res, next);
    const declared = Number(req.get('content-length'));
    const size = Number.isFinite(declared) && declared > 0 ? declared : Buffer.byteLength(JSON.stringify(req.body ?? null));
    if (size > BODY_LIMIT_BYTES) return fail(res, 413, 'ERR_AUTOFAS_ADMIN_BODY', `request body is ${size} bytes, more than ${BODY_LIMIT_BYTES}`);
    next();
  };
}

/** Body errors of the router's own parser as JSON (never the host's HTML error page). */
function bodyErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  const { status, type } = (err ?? {}) as { status?: number; type?: string };
  if (typeof type !== 'string' || !type.startsWith('entity.') || res.headersSent) return next(err);
  fail(res, status ?? 400, 'ERR_AUTOFAS_ADMIN_BODY', type === 'entity.too.large' ? `request body is more than ${BODY_LIMIT_BYTES} bytes` : 'request body is not valid JSON');
}

/** Compares the bearer token in constant time (both sides hashed first, so lengths leak nothing). */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = digest(match ? match[1] : '');
  return timingSafeEqual(given, expected) && match !== null;
}

/** Resolves a requested directory inside the models root (symlinks followed); null when it escapes. */
async function resolveUnderRoot(root: string, requested: string): Promise<string | null> {
  const realRoot = await realpath(root);
  const target = await realpath(resolve(realRoot, requested));
  const rel = relative(realRoot, target);
  if (rel === '' || isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) return null;
  return target;
}

function authorise(config: AdminConfig, req: Request, res: Response): boolean {
  if (!config.tokenDigest || !config.modelsRoot) {
    fail(res, 403, 'ERR_AUTOFAS_ADMIN_DISABLED', 'reload is disabled: configure `token` and `modelsRoot`');
    return false;
  }
  if (!bearerMatches(req.get('authorization'), config.tokenDigest)) {
    res.set('WWW-Authenticate', 'Bearer realm="autofas"');
    fail(res, 401, 'ERR_AUTOFAS_ADMIN_AUTH', 'missing or wrong bearer token');
    return false;
  }
  return true;
}

async function targetDir(config: AdminConfig, req: Request, res: Response): Promise<string | null> {
  const dir = (req.body as { dir?: unknown } | undefined)?.dir;
  if (typeof dir !== 'string' || dir === '' || dir.includes('\0')) {
    fail(res, 400, 'ERR_AUTOFAS_ADMIN_PATH', 'body must be JSON {"dir": "<artifact directory under modelsRoot>"}');
    return null;
  }
  let target: string | null;
  try {
    target = await resolveUnderRoot(config.modelsRoot as string, dir);
  } catch (err) {
    fail(res, 422, 'ERR_AUTOFAS_MODEL_FILES', `cannot open artifact directory ${JSON.stringify(dir)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return null;
  }
  if (!target) fail(res, 400, 'ERR_AUTOFAS_ADMIN_PATH', `${JSON.stringify(dir)} is not a directory under the models root`);
  return target;
}

/** `preRankAdmin(preRanker, options)`: GET / (status page), /status.json, /healthz, /model, /metrics; POST /reload. */
export function preRankAdmin(preRanker: PreRanker, options: AdminOptions = {}): PreRankAdminRouter {
  const config = parseOptions(options);
  const router = express.Router();
  let reloading = false;

  router.get('/healthz', function healthz(_req, res) {
    const ready = preRanker.ready();
    const modelId = preRanker.models().model?.modelId ?? null;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', modelId });
  });

  router.get('/model', function activeModels(_req, res) {
    res.json(preRanker.models());
  });

  router.post('/reload', limitedJsonBody(), async function reload(req, res) {
    if (!authorise(config, req, res)) return;
    const dir = await targetDir(config, req, res);
    if (!dir) return;
    if (reloading) return fail(res, 409, 'ERR_AUTOFAS_ADMIN_BUSY', 'a reload is already running');
    reloading = true;
    try {
      const card = await preRanker.reload(dir);
      res.json({ status: 'ok', modelId: card.modelId, card });
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'ERR_AUTOFAS_RELOAD';
      fail(res, 422, code, `reload refused, the previous model keeps serving: ${(err as Error).message}`);
    } finally {
      reloading = false;
    }
  });

  router.get('/metrics', async function metrics(_req, res) {
    if (!config.registry) return fail(res, 404, 'ERR_AUTOFAS_ADMIN_DISABLED', 'no metrics registry configured');
    res.set('Content-Type', config.registry.contentType).send(await config.registry.metrics());
  });

  router.get('/', function statusPageRoute(_req, res) {
    if (!config.status) return fail(res, 404, 'ERR_AUTOFAS_ADMIN_DISABLED', 'no status configured');
    res.set('Content-Security-Policy', STATUS_PAGE_CSP).type('html').send(statusPage(config.status.snapshot()));
  });

  router.get('/status.json', function statusJson(_req, res) {
    if (!config.status) return fail(res, 404, 'ERR_AUTOFAS_ADMIN_DISABLED', 'no status configured');
    res.set('Cache-Control', 'no-store').json(config.status.snapshot());
  });

  router.use(bodyErrors);
  const watcher = config.watch ? watchModels(preRanker, { ...config.watch, modelsRoot: config.modelsRoot as string }) : null;
  // The host calls the router with its own Express request and response; the public type names only what it needs.
  return Object.assign(router as unknown as HostMiddleware, { watcher, close: () => watcher?.close() });
}
