import { LockMode, type EntityManager } from '@mikro-orm/core';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { writeAudit } from '../audit/audit-log.js';
import type { Principal } from '../auth/principal.js';
import { isRole } from '../auth/roles.js';
import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import { inTransaction } from '../transaction.js';
import { hashPassword, needsRehash, verifyPassword } from './password-hash.js';
import { issueChallenge } from './sign-in-challenge.js';
import { SignInChallenge } from './sign-in-challenge.entity.js';
import { lockedError, recordSignInFailure } from './sign-in-failures.js';
import { twoFactorStatusOf, type TwoFactorStatus } from './two-factor-status.js';
import { UserSession } from './user-session.entity.js';
import { User } from './user.entity.js';

/**
 * Console sign-in and sessions. A session token (`sys_<43 base64url>`, 256 random bits) lives
 * only in the browser's cookie; the database keeps its SHA-256. A session ends after `idleMs`
 * without use or `absoluteMs` after sign-in, whichever comes first, and with its user's
 * deactivation or password change. `maxFailures` wrong passwords or second-factor codes in a
 * row lock the user for `lockMs` (only a complete sign-in resets the count: sign-in-failures.ts).
 * A user with two-factor sign-in on gets no session from the password alone but a short-lived
 * challenge to answer with a code (verify-sign-in.ts). Every sign-in, failure and lock is
 * audited with the caller's address; the answer to a failure never says whether the email exists.
 */
export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
  maxFailures: number;
  lockMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleMs: 2 * 3_600_000,
  absoluteMs: 12 * 3_600_000,
  maxFailures: 5,
  lockMs: 15 * 60_000,
};

/** How stale `last_seen_at` may get before a request writes it again (one write a minute, not one a request). */
const TOUCH_AFTER_MS = 60_000;

const TOKEN = /^sys_[A-Za-z0-9_-]{43}$/;
const WRONG = 'The email or password is wrong';

export interface SignInInput {
  email: string;
  password: string;
  ip?: string | null;
  userAgent?: string | null;
}

export interface SignedIn {
  kind: 'session';
  /** For the cookie only: never logged, stored or sent anywhere else. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
  principal: Principal;
  twoFactor: TwoFactorStatus;
}

/**
 * A right password for a user with two-factor sign-in on: no session yet. The challenge token
 * goes back to the browser, which sends it with a code to `verifySignIn` (sign-in-challenge.ts).
 */
export interface SecondFactorRequired {
  kind: 'second_factor';
  secondFactor: 'totp';
  challenge: string;
  expiresAt: Date;
}

export type SignInResult = SignedIn | SecondFactorRequired;

export interface SessionOf {
  sessionId: string;
  csrfToken: string;
  principal: Principal;
  twoFactor: TwoFactorStatus;
}

const sessionIdOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export function principalOfUser(user: User): Principal {
  if (!isRole(user.role)) throw new DomainError(ErrorCode.INTERNAL, `user ${user.id} has an unknown role`);
  return {
    kind: 'user',
    id: user.id,
    name: user.name,
    role: user.role,
    channelId: user.channelId ?? null,
    keyPrefix: null,
  };
}

/** A hash to verify against when the email is unknown, so such a failure takes as long as a wrong password. */
let decoy: Promise<string> | undefined;

export async function signIn(
  ctx: OperationContext,
  input: SignInInput,
  policy: SessionPolicy = DEFAULT_SESSION_POLICY,
  now: () => Date = () => new Date(),
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase().slice(0, 254);
  const ip = input.ip?.slice(0, 64) ?? null;
  const found = email ? await ctx.em.fork().findOne(User, { email }) : null;
  const refuse = async (reason: string, user: User | null, extra: Record<string, unknown> = {}) => {
    await inTransaction(ctx.em, (tx) =>
      writeAudit(tx, ctx, {
        action: 'user.sign_in_failed',
        subjectType: 'user',
        subjectId: user?.id ?? 'unknown',
        actor: { kind: 'anonymous', id: 'anonymous' },
        ip,
        data: { reason, ...extra },
      }),
    );
    ctx.logger.info({ userId: user?.id ?? null, reason }, 'console sign-in refused');
  };
  if (!found || found.deactivatedAt) {
    await verifyPassword(input.password, await (decoy ??= hashPassword(randomBytes(16).toString('hex'))));
    await refuse(found ? 'deactivated' : 'unknown_email', found);
    throw new DomainError(ErrorCode.UNAUTHENTICATED, WRONG);
  }
  if (found.lockedUntil && found.lockedUntil > now()) {
    await refuse('locked', found);
    throw lockedError(found.lockedUntil);
  }
  const matches = await verifyPassword(input.password, found.passwordHash);
  const rehash = matches && needsRehash(found.passwordHash) ? await hashPassword(input.password) : null;

  return inTransaction(ctx.em, async (tx) => {
    const user = await tx.findOneOrFail(
      User,
      { id: found.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    const at = now();
    if (!matches || user.deactivatedAt || user.passwordHash !== found.passwordHash) {
      const { lockedUntil } = await recordSignInFailure(tx, ctx, user, {
        action: 'user.sign_in_failed',
        reason: 'password',
        ip,
        policy,
        at,
      });
      // Committed before the answer: the count must survive the refusal.
      return { refused: lockedUntil ? lockedError(lockedUntil) : new DomainError(ErrorCode.UNAUTHENTICATED, WRONG) };
    }
    if (rehash) user.passwordHash = rehash;
    if (user.totpEnabledAt)
      return { signedIn: await issueChallenge(tx, ctx, user, { ip, userAgent: input.userAgent, at }) };
    return {
      signedIn: await openSession(tx, ctx, user, { ip, userAgent: input.userAgent, at, policy, secondFactor: null }),
    };
  }).then((r) => {
    if ('refused' in r) throw r.refused;
    return r.signedIn;
  });
}

/**
 * Opens a session for a user who has proven who they are (password, and second factor where
 * on), in the caller's transaction with the user's row locked: resets the failure count, audits
 * the sign-in. Shared by the password step and the second-factor step.
 */
export async function openSession(
  tx: EntityManager,
  ctx: OperationContext,
  user: User,
  o: {
    ip: string | null;
    userAgent?: string | null;
    at: Date;
    policy: SessionPolicy;
    secondFactor: 'totp' | 'recovery_code' | null;
  },
): Promise<SignedIn> {
  user.failedSignIns = 0;
  user.lockedUntil = null;
  user.lastSignInAt = o.at;
  const token = `sys_${randomBytes(32).toString('base64url')}`;
  const session = tx.create(UserSession, {
    id: sessionIdOf(token),
    userId: user.id,
    csrfToken: randomBytes(32).toString('base64url'),
    createdAt: o.at,
    lastSeenAt: o.at,
    expiresAt: new Date(o.at.getTime() + o.policy.absoluteMs),
    ip: o.ip,
    userAgent: o.userAgent?.slice(0, 200) ?? null,
  });
  await tx.flush();
  const twoFactor = twoFactorStatusOf(user);
  await writeAudit(tx, ctx, {
    action: 'user.signed_in',
    subjectType: 'user',
    subjectId: user.id,
    actor: { kind: 'user', id: user.id },
    ip: o.ip,
    data: { secondFactor: o.secondFactor, ...(twoFactor.enrolmentRequired ? { enrolmentRequired: true } : {}) },
  });
  ctx.logger.info({ userId: user.id, secondFactor: o.secondFactor }, 'console sign-in');
  return {
    kind: 'session',
    token,
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
    principal: principalOfUser(user),
    twoFactor,
  };
}

/**
 * The session a cookie's token opens, with its user as the principal; null when the token is
 * unknown, expired (idle or absolute), or its user deactivated. Refreshes `last_seen_at` at most
 * once a minute.
 */
export async function sessionOf(
  em: EntityManager,
  token: string,
  policy: SessionPolicy = DEFAULT_SESSION_POLICY,
  now: () => Date = () => new Date(),
): Promise<SessionOf | null> {
  if (!TOKEN.test(token)) return null;
  const id = sessionIdOf(token);
  const session = await em.findOne(UserSession, { id });
  if (!session) return null;
  const at = now();
  if (session.expiresAt <= at || at.getTime() - session.lastSeenAt.getTime() >= policy.idleMs) {
    await em.nativeDelete(UserSession, { id });
    return null;
  }
  const user = await em.findOne(User, { id: session.userId });
  if (!user || user.deactivatedAt) return null;
  if (at.getTime() - session.lastSeenAt.getTime() >= TOUCH_AFTER_MS)
    await em.nativeUpdate(UserSession, { id }, { lastSeenAt: at });
  return {
    sessionId: id,
    csrfToken: session.csrfToken,
    principal: principalOfUser(user),
    twoFactor: twoFactorStatusOf(user),
  };
}

/** Whether a request's CSRF header is this session's token (constant time). */
export function csrfMatches(session: SessionOf, header: string | undefined | null): boolean {
  if (!header) return false;
  const a = Buffer.from(header);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Ends the session the token opens (sign-out); unknown tokens are ignored. */
export async function signOut(ctx: OperationContext, token: string): Promise<void> {
  if (!TOKEN.test(token)) return;
  const id = sessionIdOf(token);
  await inTransaction(ctx.em, async (tx) => {
    const session = await tx.findOne(UserSession, { id });
    if (!session) return;
    await tx.nativeDelete(UserSession, { id });
    await writeAudit(tx, ctx, {
      action: 'user.signed_out',
      subjectType: 'user',
      subjectId: session.userId,
      actor: { kind: 'user', id: session.userId },
    });
  });
}

/**
 * Ends every session of a user, and drops their pending sign-in challenges, in the caller's
 * transaction (deactivation, password change, two-factor reset). The number of sessions ended.
 */
export async function endSessionsOf(tx: EntityManager, userId: string): Promise<number> {
  await tx.nativeDelete(SignInChallenge, { userId });
  return tx.nativeDelete(UserSession, { userId });
}
