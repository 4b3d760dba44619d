import { parseCookie } from 'cookie';
import type { Redis } from 'ioredis';
import type { Principal } from '../domain/auth/principal.js';
import { DomainError, ErrorCode } from '../domain/errors.js';
import {
  csrfMatches,
  DEFAULT_SESSION_POLICY,
  sessionOf,
  type SessionOf,
  type SessionPolicy,
} from '../domain/users/sessions.js';
import type { Orm } from './database.js';

/** The console's session cookie (HttpOnly, SameSite=Strict): the token only the browser holds. */
export const SESSION_COOKIE = 'sy_session';
/** The header every cookie-authenticated change carries, with the session's CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';

type SessionHeaders = { cookie?: string; [CSRF_HEADER]?: string | string[] };

/** What an admin's session without two-factor sign-in answers to anything but enrolment. */
export const ENROLMENT_STEP = 'POST /auth/two-factor/enrolment, then POST /auth/two-factor/enrolment/confirm';

function enrolmentRequired(): DomainError {
  return new DomainError(
    ErrorCode.FORBIDDEN,
    `Two-factor sign-in is required for admins and is not on yet: enrol first (${ENROLMENT_STEP} with a code from your authenticator app)`,
    { reason: 'TWO_FACTOR_ENROLMENT_REQUIRED', enrol: ENROLMENT_STEP },
  );
}

/** Sign-in attempts one address may make per window, across every API process (Redis). */
const SIGN_INS_PER_WINDOW = 10;
const WINDOW_MS = 60_000;

/**
 * Console sessions for the HTTP layer: the principal a request's session cookie opens (with the
 * CSRF check where the request can change something), and the per-address sign-in rate limit.
 * Sessions themselves are domain (domain/users/sessions.ts).
 */
export class ConsoleSessions {
  constructor(
    private readonly orm: Orm,
    private readonly options: { redis?: Redis; prefix?: string; policy?: SessionPolicy } = {},
  ) {}

  get policy(): SessionPolicy {
    return this.options.policy ?? DEFAULT_SESSION_POLICY;
  }

  /** The session token in a Cookie header, if any. */
  tokenOf(cookieHeader: string | undefined): string | undefined {
    return cookieHeader ? parseCookie(cookieHeader)[SESSION_COOKIE] : undefined;
  }

  /**
   * The user a request's session cookie signs in; null without the cookie. Throws UNAUTHENTICATED
   * for an ended session, FORBIDDEN when `csrf` is required and the header does not match, and
   * FORBIDDEN (reason TWO_FACTOR_ENROLMENT_REQUIRED) for an admin who has not yet turned on
   * two-factor sign-in: such a session serves the enrolment routes in /auth and nothing else.
   */
  async principal(headers: SessionHeaders, csrf: boolean): Promise<Principal | null> {
    const session = await this.signedIn(headers, csrf);
    if (!session) return null;
    if (session.twoFactor.enrolmentRequired) throw enrolmentRequired();
    return session.principal;
  }

  /**
   * The session a request's cookie opens, with the CSRF check when `csrf`, whatever its
   * two-factor state (the /auth routes that enrol use it); null without the cookie.
   */
  async signedIn(headers: SessionHeaders, csrf: boolean): Promise<SessionOf | null> {
    if (this.tokenOf(headers.cookie) === undefined) return null;
    const session = await this.session(headers.cookie);
    if (!session) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Your console session has ended: sign in again');
    const header = headers[CSRF_HEADER];
    if (csrf && !csrfMatches(session, Array.isArray(header) ? header[0] : header))
      throw new DomainError(
        ErrorCode.FORBIDDEN,
        `A request signed in by the console's cookie must carry its CSRF token in the ${CSRF_HEADER} header`,
      );
    return session;
  }

  /** The live session a Cookie header's token opens; null without one or when it has ended. */
  async session(cookieHeader: string | undefined): Promise<SessionOf | null> {
    const token = this.tokenOf(cookieHeader);
    return token === undefined ? null : sessionOf(this.orm.em.fork(), token, this.policy);
  }

  /** Counts one sign-in attempt (a password, a second-factor code) from `ip`; the seconds to wait when over the limit, else 0. */
  async signInWait(ip: string): Promise<number> {
    const redis = this.options.redis;
    if (!redis) return 0;
    const key = `${this.options.prefix ?? '{switchyard}'}:sign-in:${ip}`;
    const [[, count], , [, ttl]] = (await redis.multi().incr(key).pexpire(key, WINDOW_MS, 'NX').pttl(key).exec()) as [
      [unknown, number],
      [unknown, unknown],
      [unknown, number],
    ];
    return count > SIGN_INS_PER_WINDOW ? Math.max(1, Math.ceil(ttl / 1000)) : 0;
  }
}
