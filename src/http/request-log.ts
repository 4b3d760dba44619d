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

/**
 * Gives every request an id (echoed as X-Request-Id, so one id follows a request across
 * services) and logs one line when it finishes. Nothing is built for the log line unless its
 * level is enabled: a hot path at LOG_LEVEL=warn pays for the id only. Headers are never logged,
 * so credentials cannot leak into logs.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    // The full path: inside a mounted router express strips the mount prefix from req.path.
    const path = req.originalUrl.split('?', 1)[0]!;
    if (QUIET_PATHS.has(path)) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger[level]({ requestId: req.id, method: req.method, path, status, ms: Math.round(ms * 100) / 100 }, 'request');
    });
    next();
  };
}
