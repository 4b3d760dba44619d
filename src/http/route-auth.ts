import type { Response } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../domain/auth/principal.js';
import { DomainError, ErrorCode } from '../domain/errors.js';
import type { ApiKeyAuthenticator } from '../platform/api-key-authenticator.js';
import { errorBody } from './errors.js';

/**
 * API-key (or console session) checks for the plain HTTP routes beside /graphql (the CSV export, warehouse documents):
 * the same keys, the same 401/403 wording as the GraphQL errors, roles as the API's Role enum
 * names them (READ_ONLY).
 */

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
};

/** The caller, when its key holds admin or one of `roles`; else throws UNAUTHENTICATED or FORBIDDEN. */
export async function routePrincipal(
  authenticator: ApiKeyAuthenticator,
  headers: IncomingHttpHeaders,
  roles: readonly string[],
  /** What the role may not do, for the 403's message: "print warehouse documents". */
  action: string,
): Promise<Principal> {
  // These routes only read (GET): a console session's cookie suffices, without the CSRF header.
  const principal = await authenticator.authenticateRequest(headers, { csrf: false });
  if (!principal)
    throw new DomainError(
      ErrorCode.UNAUTHENTICATED,
      'An API key is required: send "Authorization: Bearer <key>" (or sign in to the console)',
    );
  if (principal.role !== 'admin' && !roles.includes(principal.role)) {
    const role = principal.role.toUpperCase();
    const allowed = ['admin', ...roles].map((r) => r.toUpperCase());
    throw new DomainError(ErrorCode.FORBIDDEN, `Role ${role} may not ${action}; allowed: ${allowed.join(', ')}`, {
      role,
      allowed,
    });
  }
  return principal;
}

/** A domain error as the API's JSON error body with its HTTP status. */
export function sendDomainError(res: Response, error: DomainError): void {
  res.status(STATUS_OF[error.code] ?? 500).json(errorBody(error.message, error.code, error.details));
}
