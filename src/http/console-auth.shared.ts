import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Principal } from '../domain/auth/principal.js';
import type { OperationContext } from '../domain/context.js';
import { DomainError } from '../domain/errors.js';
import type { SignedIn } from '../domain/users/sessions.js';
import type { TwoFactorStatus } from '../domain/users/two-factor-status.js';
import type { ConsoleSessions } from '../platform/console-sessions.js';
import { SESSION_COOKIE } from '../platform/console-sessions.js';
import type { Orm } from '../platform/database.js';
import { errorBody } from './errors.js';
import { sendDomainError } from './route-auth.js';

/** What the /auth routes need (console-auth.routes.ts, two-factor.routes.ts). */
export interface ConsoleAuthDeps {
  orm: Orm;
  sessions: ConsoleSessions;
  logger: Logger;
  /** Cookies are `Secure` (HTTPS only) in production. */
  secureCookies: boolean;
  /** The hub's encryption key: TOTP secrets are stored under it, like channel credentials. */
  encryptionKey: Buffer;
  /** Called when a user's other sessions were ended here (enrolment), to close their open sockets. */
  sessionsEnded?: (userId: string) => Promise<void>;
}

/** One request's operation context, acting as `actor` (the system before sign-in, the user after). */
export function authContext(deps: ConsoleAuthDeps, req: Request, actor: Principal): OperationContext {
  return { actor, requestId: req.id, em: deps.orm.em.fork(), logger: deps.logger.child({ requestId: req.id }) };
}

export const sessionCookie = (deps: ConsoleAuthDeps) => ({
  httpOnly: true,
  sameSite: 'strict' as const,
  secure: deps.secureCookies,
  path: '/',
});

/** A domain error as JSON with its status; a lock says until when in Retry-After. Bugs go on to the error handler. */
export function fail(res: Response, error: unknown): void {
  if (!(error instanceof DomainError)) throw error;
  const until = Date.parse(String(error.details.lockedUntil ?? ''));
  if (Number.isFinite(until)) res.set('Retry-After', String(Math.max(1, Math.ceil((until - Date.now()) / 1000))));
  sendDomainError(res, error);
}

/**
 * Counts one attempt at a secret (password or code) from the caller's address; answers 429 and
 * returns false when the address is over the limit.
 */
export async function withinRateLimit(deps: ConsoleAuthDeps, req: Request, res: Response): Promise<boolean> {
  const wait = await deps.sessions.signInWait(req.ip ?? 'unknown');
  if (wait === 0) return true;
  res.set('Retry-After', String(wait));
  res
    .status(429)
    .json(
      errorBody(`Too many sign-in attempts from this address: wait ${wait} s`, 'RATE_LIMITED', { retryAfter: wait }),
    );
  return false;
}

export function userOf(p: { id: string; name: string; role: string; channelId: string | null }) {
  return { id: p.id, name: p.name, role: p.role.toUpperCase(), channelId: p.channelId };
}

/** Sets the session cookie and answers with what the console needs to go on (never the token). */
export function sendSession(deps: ConsoleAuthDeps, res: Response, signed: SignedIn): void {
  res.cookie(SESSION_COOKIE, signed.token, { ...sessionCookie(deps), expires: signed.expiresAt });
  res.set('Cache-Control', 'no-store');
  res.json({
    user: userOf(signed.principal),
    csrfToken: signed.csrfToken,
    expiresAt: signed.expiresAt.toISOString(),
    twoFactor: twoFactorBody(signed.twoFactor),
  });
}

export function twoFactorBody(status: TwoFactorStatus, recoveryCodesLeft?: number) {
  return { ...status, ...(recoveryCodesLeft === undefined ? {} : { recoveryCodesLeft }) };
}
