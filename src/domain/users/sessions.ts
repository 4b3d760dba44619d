import { LockMode, type EntityManager } from '@mikro-orm/core';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { writeAudit } from '../audit/audit-log.js';
import type { Principal } from '../auth/principal.js';
import { isRole } from '../auth/roles.js';
import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import { inTransaction } from '../transaction.js';
import { hashPassword, needsRehash, verifyPassword } from './password-hash.js';
import { UserSession } from './user-session.entity.js';
import { User } from './user.entity.js';

/**
 * Console sign-in and sessions. A session token (`sys_<43 base64url>`, 256 random bits) lives
 * only in the browser's cookie; the database keeps its SHA-256. A session ends after `idleMs`
 * without use or `absoluteMs` after sign-in, whichever comes first, and with its user's
 * deactivation or password change. `maxFailures` wrong passwords in a row lock the user for
 * `lockMs` (a success resets the count). Every sign-in, failure and lock is audited with the
 * caller's address; the answer to a failure never says whether the email exists.
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
  /** For the cookie only: never logged, stored or sent anywhere else. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
  principal: Principal;
}

export interface SessionOf {
  sessionId: string;
  csrfToken: string;
  principal: Principal;
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
): Promise<SignedIn> {
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
    throw locked(found.lockedUntil);
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
      // Counted under the row lock, so concurrent guesses cannot slip past the limit.
      user.failedSignIns += 1;
      const lockNow = user.failedSignIns >= policy.maxFailures;
      if (lockNow) {
        user.lockedUntil = new Date(at.getTime() + policy.lockMs);
        user.failedSignIns = 0;
      }
      await tx.flush();
      await writeAudit(tx, ctx, {
        action: lockNow ? 'user.locked' : 'user.sign_in_failed',
        subjectType: 'user',
        subjectId: user.id,
        actor: { kind: 'anonymous', id: 'anonymous' },
        ip,
        data: lockNow ? { reason: 'password', lockedUntil: user.lockedUntil!.toISOString() } : { reason: 'password' },
      });
      ctx.logger.info({ userId: user.id, locked: lockNow }, 'console sign-in refused');
      // Committed before the answer: the count must survive the refusal.
      return { refused: lockNow ? locked(user.lockedUntil!) : new DomainError(ErrorCode.UNAUTHENTICATED, WRONG) };
    }
    user.failedSignIns = 0;
    user.lockedUntil = null;
    user.lastSignInAt = at;
    if (rehash) user.passwordHash = rehash;
    const token = `sys_${randomBytes(32).toString('base64url')}`;
    const session = tx.create(UserSession, {
      id: sessionIdOf(token),
      userId: user.id,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: at,
      lastSeenAt: at,
      expiresAt: new Date(at.getTime() + policy.absoluteMs),
      ip,
      userAgent: input.userAgent?.slice(0, 200) ?? null,
    });
    await tx.flush();
    await writeAudit(tx, ctx, {
      action: 'user.signed_in',
      subjectType: 'user',
      subjectId: user.id,
      actor: { kind: 'user', id: user.id },
      ip,
    });
    ctx.logger.info({ userId: user.id }, 'console sign-in');
    return {
      signedIn: { token, csrfToken: session.csrfToken, expiresAt: session.expiresAt, principal: principalOfUser(user) },
    };
  }).then((r) => {
    if ('refused' in r) throw r.refused;
    return r.signedIn;
  });
}

function locked(until: Date): DomainError {
  return new DomainError(
    ErrorCode.RATE_LIMITED,
    `Too many failed sign-ins: this account is locked until ${until.toISOString()}`,
    { lockedUntil: until.toISOString() },
  );
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
  return { sessionId: id, csrfToken: session.csrfToken, principal: principalOfUser(user) };
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

/** Ends every session of a user, in the caller's transaction (deactivation, password or role change). */
export async function endSessionsOf(tx: EntityManager, userId: string): Promise<number> {
  return tx.nativeDelete(UserSession, { userId });
}
