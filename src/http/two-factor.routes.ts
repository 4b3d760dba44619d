import express, { type Request, type Response, type Router } from 'express';
import type { SessionOf } from '../domain/users/sessions.js';
import {
  confirmEnrolment,
  disableTwoFactor,
  regenerateRecoveryCodes,
  startEnrolment,
} from '../domain/users/two-factor.service.js';
import { CSRF_HEADER } from '../platform/console-sessions.js';
import { authContext, fail, twoFactorBody, withinRateLimit, type ConsoleAuthDeps } from './console-auth.shared.js';
import { errorBody } from './errors.js';

/**
 * A signed-in user's own two-factor sign-in (`/auth/two-factor`), each a POST with the session
 * cookie and its CSRF header. These answer an admin whose session is limited to enrolment too.
 * - `/enrolment` → `{secret, uri}`: a new secret to scan (the `otpauth://` URI for a QR code);
 *   409 when it is on already.
 * - `/enrolment/confirm` `{code}` → `{recoveryCodes, twoFactor}`: on, ten recovery codes shown
 *   this once, the user's other sessions ended; 400 for a code that does not match.
 * - `/recovery-codes` `{code}` → `{recoveryCodes, twoFactor}`: new codes for a current code.
 * - `/disable` `{code}` → `{twoFactor}`; 403 for an admin.
 * A wrong code at the last two counts towards the lockout (400, then 429 locked).
 */
export function twoFactorRoutes(deps: ConsoleAuthDeps): Router {
  const router = express.Router();
  const keys = { encryptionKey: deps.encryptionKey };

  /** The session (CSRF checked), or an answered 401/403 and undefined. */
  async function session(req: Request, res: Response): Promise<SessionOf | undefined> {
    try {
      const found = await deps.sessions.signedIn(
        { cookie: req.headers.cookie, [CSRF_HEADER]: req.get(CSRF_HEADER) },
        true,
      );
      if (found) return found;
      res.status(401).json(errorBody('Sign in to the console first', 'UNAUTHENTICATED'));
    } catch (error) {
      fail(res, error);
    }
    return undefined;
  }
  const codeOf = (req: Request): string => {
    const code = (req.body as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' ? code : '';
  };
  const send = (res: Response, body: unknown) => {
    // Secrets and recovery codes: never cached anywhere on the way.
    res.set('Cache-Control', 'no-store');
    res.json(body);
  };

  router.post('/enrolment', async (req, res) => {
    const s = await session(req, res);
    if (!s) return;
    try {
      send(res, await startEnrolment(authContext(deps, req, s.principal), keys));
    } catch (error) {
      fail(res, error);
    }
  });

  router.post('/enrolment/confirm', async (req, res) => {
    const s = await session(req, res);
    if (!s || !(await withinRateLimit(deps, req, res))) return;
    try {
      const done = await confirmEnrolment(authContext(deps, req, s.principal), keys, {
        code: codeOf(req),
        sessionId: s.sessionId,
      });
      // The password-only sessions just ended: their sockets close too (this browser reconnects).
      await deps.sessionsEnded?.(s.principal.id);
      send(res, {
        recoveryCodes: done.recoveryCodes,
        twoFactor: twoFactorBody(done.twoFactor, done.recoveryCodes.length),
      });
    } catch (error) {
      fail(res, error);
    }
  });

  router.post('/recovery-codes', async (req, res) => {
    const s = await session(req, res);
    if (!s || !(await withinRateLimit(deps, req, res))) return;
    try {
      const done = await regenerateRecoveryCodes(
        authContext(deps, req, s.principal),
        keys,
        { code: codeOf(req), ip: req.ip ?? null },
        deps.sessions.policy,
      );
      send(res, {
        recoveryCodes: done.recoveryCodes,
        twoFactor: twoFactorBody(done.twoFactor, done.recoveryCodes.length),
      });
    } catch (error) {
      fail(res, error);
    }
  });

  router.post('/disable', async (req, res) => {
    const s = await session(req, res);
    if (!s || !(await withinRateLimit(deps, req, res))) return;
    try {
      const status = await disableTwoFactor(
        authContext(deps, req, s.principal),
        keys,
        { code: codeOf(req), ip: req.ip ?? null },
        deps.sessions.policy,
      );
      send(res, { twoFactor: twoFactorBody(status) });
    } catch (error) {
      fail(res, error);
    }
  });
  return router;
}
