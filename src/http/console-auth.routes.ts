import express, { type Router } from 'express';
import { SYSTEM_PRINCIPAL } from '../domain/auth/principal.js';
import { DomainError, ErrorCode } from '../domain/errors.js';
import { signIn, signOut } from '../domain/users/sessions.js';
import { recoveryCodesLeft } from '../domain/users/two-factor.service.js';
import { verifySignIn } from '../domain/users/verify-sign-in.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../platform/console-sessions.js';
import {
  authContext,
  fail,
  sendSession,
  sessionCookie,
  twoFactorBody,
  userOf,
  withinRateLimit,
  type ConsoleAuthDeps,
} from './console-auth.shared.js';
import { errorBody } from './errors.js';
import { twoFactorRoutes } from './two-factor.routes.js';

/**
 * The console's sign-in over HTTP (`/auth`), beside /graphql: cookies need a plain route.
 * docs/CONSOLE.md ("Sign-in and two-factor") describes the whole flow for the SPA.
 * - `POST /auth/sign-in` `{email, password}` → 200 `{user, csrfToken, expiresAt, twoFactor}` and
 *   the session cookie (HttpOnly, SameSite=Strict, Path=/; Secure in production); or, for a user
 *   with two-factor sign-in on, 200 `{secondFactor: "totp", challenge, expiresAt}` and no cookie.
 *   401 for a wrong email or password (the same answer for both), 429 with Retry-After when the
 *   account is locked or the address tries too often.
 * - `POST /auth/sign-in/verify` `{challenge, code}` (a TOTP code or a recovery code) → the
 *   session as above; 401 for a wrong, replayed or expired one, 429 locked or too often.
 * - `GET /auth/session` → the signed-in user, the CSRF token again (a reloaded page) and the
 *   two-factor state, or 401.
 * - `POST /auth/sign-out` (with the CSRF header) → 204, the session ended and the cookie cleared.
 * - `/auth/two-factor/…`: enrolment and the rest (two-factor.routes.ts).
 */
export function consoleAuthRoutes(deps: ConsoleAuthDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: 4_096, strict: true }));
  const client = (req: express.Request) => ({ ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') ?? null });

  router.post('/sign-in', async (req, res) => {
    const body = req.body as { email?: unknown; password?: unknown } | undefined;
    if (typeof body?.email !== 'string' || typeof body.password !== 'string' || body.password.length > 1_024) {
      res
        .status(400)
        .json(errorBody('Send JSON {"email": "…", "password": "…"}', 'BAD_USER_INPUT', { field: 'email' }));
      return;
    }
    if (!(await withinRateLimit(deps, req, res))) return;
    try {
      const result = await signIn(
        authContext(deps, req, SYSTEM_PRINCIPAL),
        { email: body.email, password: body.password, ...client(req) },
        deps.sessions.policy,
      );
      if (result.kind === 'session') return sendSession(deps, res, result);
      res.set('Cache-Control', 'no-store');
      res.json({
        secondFactor: result.secondFactor,
        challenge: result.challenge,
        expiresAt: result.expiresAt.toISOString(),
      });
    } catch (error) {
      fail(res, error);
    }
  });

  router.post('/sign-in/verify', async (req, res) => {
    const body = req.body as { challenge?: unknown; code?: unknown } | undefined;
    if (typeof body?.challenge !== 'string' || typeof body.code !== 'string') {
      res.status(400).json(errorBody('Send JSON {"challenge": "…", "code": "…"}', 'BAD_USER_INPUT', { field: 'code' }));
      return;
    }
    if (!(await withinRateLimit(deps, req, res))) return;
    try {
      const signed = await verifySignIn(
        authContext(deps, req, SYSTEM_PRINCIPAL),
        { encryptionKey: deps.encryptionKey },
        { challenge: body.challenge, code: body.code, ...client(req) },
        deps.sessions.policy,
      );
      sendSession(deps, res, signed);
    } catch (error) {
      fail(res, error);
    }
  });

  router.get('/session', async (req, res) => {
    try {
      const session = await deps.sessions.session(req.headers.cookie);
      if (!session) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Not signed in');
      const left = session.twoFactor.enabled
        ? await recoveryCodesLeft(deps.orm.em.fork(), session.principal.id)
        : undefined;
      res.set('Cache-Control', 'no-store');
      res.json({
        user: userOf(session.principal),
        csrfToken: session.csrfToken,
        twoFactor: twoFactorBody(session.twoFactor, left),
      });
    } catch (error) {
      fail(res, error);
    }
  });

  router.post('/sign-out', async (req, res) => {
    try {
      const token = deps.sessions.tokenOf(req.headers.cookie);
      if (token) {
        // The CSRF check: another site must not be able to sign the user out either.
        await deps.sessions.signedIn({ cookie: req.headers.cookie, [CSRF_HEADER]: req.get(CSRF_HEADER) }, true);
        await signOut(authContext(deps, req, SYSTEM_PRINCIPAL), token);
      }
      res.clearCookie(SESSION_COOKIE, sessionCookie(deps));
      res.status(204).end();
    } catch (error) {
      fail(res, error);
    }
  });

  router.use('/two-factor', twoFactorRoutes(deps));
  return router;
}
