import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

/** A JSON error body shaped like a GraphQL error, so clients parse one format everywhere. */
export function errorBody(message: string, code: string, extra: Record<string, unknown> = {}) {
  return { errors: [{ message, extensions: { code, ...extra } }] };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json(errorBody(`No route ${req.method} ${req.path}; the API is at /graphql`, 'NOT_FOUND'));
};

/** Body-parser failures are the client's fault and say so; anything else is masked. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: { type?: string; status?: number; limit?: number; message?: string }, req, res, _next) => {
    if (err.type === 'entity.too.large') {
      res.status(413).json(
        errorBody(`Request body is larger than the limit of ${err.limit} bytes`, 'BAD_USER_INPUT', {
          limit: err.limit,
        }),
      );
      return;
    }
    if (err.type === 'entity.parse.failed') {
      res.status(400).json(errorBody(`Request body is not valid JSON: ${err.message}`, 'BAD_USER_INPUT'));
      return;
    }
    if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') {
      res.status(415).json(errorBody(`Unsupported body encoding: ${err.message}`, 'BAD_USER_INPUT'));
      return;
    }
    if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
      res.status(err.status).json(errorBody(err.message ?? 'Bad request', 'BAD_USER_INPUT'));
      return;
    }
    logger.error({ err, requestId: req.id }, 'unhandled HTTP error');
    res.status(500).json(errorBody('Internal server error', 'INTERNAL'));
  };
}
