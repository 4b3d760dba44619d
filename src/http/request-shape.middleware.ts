import type { Request, RequestHandler } from 'express';
import { formatError } from '../schema/errors/format-error.js';
import { requestShapeError } from '../schema/limits/request-shape.js';

/**
 * Refuses, with 400 and before Apollo (so before authentication, parsing and any resolver),
 * GraphQL requests nested too deeply or carrying control characters; see request-shape.ts.
 */
export const refuseBadRequestShape: RequestHandler = (req, res, next) => {
  const { query, variables } = graphqlParams(req);
  const refused = requestShapeError(query, variables);
  if (!refused) {
    next();
    return;
  }
  res.status(400).json({ errors: [formatError(refused.toJSON(), refused)] });
};

/** The query and variables as Apollo will read them: the JSON body of a POST, the URL of a GET. */
function graphqlParams(req: Request): { query: unknown; variables: unknown } {
  if (req.method !== 'GET') {
    const body: unknown = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return { query: undefined, variables: body };
    const { query, variables } = body as Record<string, unknown>;
    return { query, variables };
  }
  const { query, variables } = req.query;
  return { query, variables: typeof variables === 'string' ? parsedOrUndefined(variables) : variables };
}

function parsedOrUndefined(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined; // Apollo answers malformed variables itself
  }
}
