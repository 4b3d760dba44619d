import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { SYSTEM_PRINCIPAL } from '../domain/auth/principal.js';
import type { OperationContext } from '../domain/context.js';
import { DomainError, ErrorCode } from '../domain/errors.js';
import { signIn, signOut } from '../domain/users/sessions.js';
import { CSRF_HEADER, SESSION_COOKIE, type ConsoleSessions } from '../platform/console-sessions.js';
import type { Orm } from '../platform/database.js';
import { errorBody } from './errors.js';
import { sendDomainError } from './route-auth.js';

interface Deps {
  orm: Orm;
  sessions: ConsoleSessions;
  logger: Logger;
  /** Cookies are `Secure` (HTTPS only) in production. */
  secureCookies: boolean;
}

/**
 * The console's sign-in over HTTP (`/auth`), beside /graphql: cookies need a plain route.
 * - `POST /auth/sign-in` `{email, password}` → 200 `{user, csrfToken, expiresAt}` and the
 *   session cookie (HttpOnly, SameSite=Strict, Path=/; Secure in production); 401 for a wrong
 *   email or password (the same answer for both), 429 with Retry-After when the account is
 *   locked or the address tries too often.
 * - `GET /auth/session` → the signed-in user and the CSRF token again (a reloaded page), or 401.
 * - `POST /auth/sign-out` (with the CSRF header) → 204, the session ended and the cookie cleared.
 */
export function consoleAuthRoutes(deps: Deps): Router {
  const router = express.Router();
  router.use(express.json({ limit: 4_096, strict: true }));
  const ctx = (req: Request): OperationContext => ({
    actor: SYSTEM_PRINCIPAL,
    requestId: req.id,
    em: deps.orm.em.fork(),
    logger: deps.logger.child({ requestId: req.id }),
  });
  const cookie = { httpOnly: true, sameSite: 'strict' as const, secure: deps.secureCookies, path: '/' };
  const fail = (res: Response, error: unknown) => {
    if (!(error instanceof DomainError)) throw error;
    // A locked account says until when: Retry-After in seconds.
    const until = Date.parse(String(error.details.lockedUntil ?? ''));
    if (Number.isFinite(until)) res.set('Retry-After', String(Math.max(1, Math.ceil((until - Date.now()) / 1000))));
    sendDomainError(res, error);
  };

  router.post('/sign-in', async (req, res) => {
    const body = req.body as { email?: unknown; password?: unknown } | undefined;
    if (typeof body?.email !== 'string' || typeof body.password !== 'string' || body.password.length > 1_024) {
      res
        .status(400)
        .json(errorBody('Send JSON {"email": "…", "password": "…"}', 'BAD_USER_INPUT', { field: 'email' }));
      return;
    }
    const ip = req.ip ?? 'unknown';
    const wait = await deps.sessions.signInWait(ip);
    if (wait > 0) {
      res.set('Retry-After', String(wait));
      res.status(429).json(
        errorBody(`Too many sign-in attempts from this address: wait ${wait} s`, 'RATE_LIMITED', {
          retryAfter: wait,
        }),
      );
      return;
    }
    try {
      const signed = await signIn(
        ctx(req),
        { email: body.email, password: body.password, ip, userAgent: req.get('user-agent') ?? null },
        deps.sessions.policy,
      );
      res.cookie(SESSION_COOKIE, signed.token, { ...cookie, expires: signed.expiresAt });
      res.set('Cache-Control', 'no-store');
      res.json({
        user: userOf(signed.principal),
        csrfToken: signed.csrfToken,
        expiresAt: signed.expiresAt.toISOString(),
      });
    } catch (error) {
      fail(res, error);
    }
  });

  router.get('/session', async (req, res) => {
    try {
      const session = await deps.sessions.session(req.headers.cookie);
      if (!session) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Not signed in');
      res.set('Cache-Control', 'no-store');
      res.json({ user: userOf(session.principal), csrfToken: session.csrfToken });
    } catch (error) {
      fail(res, error);
    }
  });

  router.post('/sign-out', async (req, res) => {
    try {
      const token = deps.sessions.tokenOf(req.headers.cookie);
      if (token) {
        // The CSRF check: another site must not be able to sign the user out either.
        await deps.sessions.principal({ cookie: req.headers.cookie, [CSRF_HEADER]: req.get(CSRF_HEADER) }, true);
        await signOut(ctx(req), token);
      }
      res.clearCookie(SESSION_COOKIE, cookie);
      res.status(204).end();
    } catch (error) {
      fail(res, error);
    }
  });
  return router;
}

function userOf(p: { id: string; name: string; role: string; channelId: string | null }) {
  return { id: p.id, name: p.name, role: p.role.toUpperCase(), channelId: p.channelId };
}
