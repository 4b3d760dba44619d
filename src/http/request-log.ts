import type { RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const QUIET_PATHS = new Set(['/livez', '/readyz', '/metrics']);

declare module 'express-serve-static-core' {
  interface Request {
    /** This request's id: the caller's X-Request-Id when sane, else a new UUID. */
    id: string;
  }
}

/** The caller's X-Request-Id when sane, else a new UUID. */
export function requestIdOf(given: string | string[] | undefined): string {
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The one line a finished request logs (5xx error, 4xx warn, else info), built only if that level is on. */
export function logRequest(
  logger: Logger,
  line: { requestId: string; method: string; path: string; status: number; started: bigint },
): void {
  const { requestId, method, path, status, started } = line;
  const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  logger[level]({ requestId, method, path, status, ms: Math.round(ms * 100) / 100 }, 'request');
}

/**
 * Gives every request an id (echoed as X-Request-Id, so one id follows a request across
 * services) and logs one line when it finishes. Nothing is built for the log line unless its
 * level is enabled: a hot path at LOG_LEVEL=warn pays for the id only. Headers are never logged,
 * so credentials cannot leak into logs.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    req.id = requestIdOf(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', req.id);
    // The full path: inside a mounted router express strips the mount prefix from req.path.
    const path = req.originalUrl.split('?', 1)[0]!;
    if (QUIET_PATHS.has(path)) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      logRequest(logger, { requestId: req.id, method: req.method, path, status: res.statusCode, started });
    });
    next();
  };
}
