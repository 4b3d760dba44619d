import { LockMode, type EntityManager } from '@mikro-orm/core';
import { writeAudit } from '../audit/audit-log.js';
import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode } from '../errors.js';
import { inTransaction } from '../transaction.js';
import { newRecoveryCodes, normalRecoveryCode, recoveryCodeHash } from './recovery-codes.js';
import { checkSecondFactor, codeInput, type TwoFactorDeps } from './second-factor.js';
import { DEFAULT_SESSION_POLICY, endSessionsOf, type SessionPolicy } from './sessions.js';
import { SignInChallenge } from './sign-in-challenge.entity.js';
import { lockedError, recordSignInFailure } from './sign-in-failures.js';
import { twoFactorRequiredFor, twoFactorStatusOf, type TwoFactorStatus } from './two-factor-status.js';
import { otpauthUri, newTotpSecret, totpStepOf } from './totp.js';
import { openTotpSecret, sealTotpSecret } from './totp-secret.js';
import { UserRecoveryCode } from './user-recovery-code.entity.js';
import { UserSession } from './user-session.entity.js';
import { User } from './user.entity.js';
import { findUser } from './user.service.js';

/**
 * A signed-in user's own two-factor sign-in: enrol (a secret to scan, then a code to confirm it,
 * which turns it on and hands out recovery codes once), new recovery codes, turning it off
 * (never for an admin); and an admin's reset of another user's. `ctx.actor` is the user acting.
 * Every step is audited; no secret or code ever is — nor logged. A wrong code where it is on
 * counts towards the user's lockout like a wrong sign-in (a stolen session must not be able to
 * try codes without end).
 */

export interface Enrolment {
  /** base32, for typing into an authenticator app by hand. */
  secret: string;
  /** `otpauth://totp/…`, for the QR code. */
  uri: string;
}

export interface RecoveryCodes {
  /** Shown this once: only their hashes are kept. */
  recoveryCodes: string[];
  twoFactor: TwoFactorStatus;
}

const lockedSelf = (tx: EntityManager, ctx: OperationContext) =>
  tx.findOneOrFail(User, { id: ctx.actor.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });

function signedInUser(ctx: OperationContext): void {
  if (ctx.actor.kind !== 'user')
    throw new DomainError(ErrorCode.FORBIDDEN, 'Two-factor sign-in belongs to console users: sign in to the console');
}

const alreadyOn = () =>
  new DomainError(
    ErrorCode.CONFLICT,
    'Two-factor sign-in is already on. To move it to another device, turn it off first (an admin asks another admin to reset it).',
  );
const notOn = () => new DomainError(ErrorCode.CONFLICT, 'Two-factor sign-in is not on: enrol first');

/** Starts (or starts over) an enrolment: a new secret, stored encrypted until a code confirms it. */
export async function startEnrolment(ctx: OperationContext, deps: TwoFactorDeps): Promise<Enrolment> {
  signedInUser(ctx);
  return inTransaction(ctx.em, async (tx) => {
    const user = await lockedSelf(tx, ctx);
    if (user.totpEnabledAt) throw alreadyOn();
    const secret = newTotpSecret();
    user.totpSecretCiphertext = sealTotpSecret(deps.encryptionKey, user.id, secret);
    user.totpLastStep = null;
    await tx.flush();
    await writeAudit(tx, ctx, { action: 'user.two_factor_enrolment_started', subjectType: 'user', subjectId: user.id });
    return { secret, uri: otpauthUri(secret, user.email) };
  });
}

/**
 * Confirms an enrolment with a code from the app: two-factor sign-in is on, the code's step is
 * used up, ten recovery codes are made, and the user's other sessions (opened by the password
 * alone) end. A wrong code here is a typing slip during setup, not a guess at a secret the user
 * already has: refused, not counted.
 */
export async function confirmEnrolment(
  ctx: OperationContext,
  deps: TwoFactorDeps,
  input: { code: string; sessionId: string | null },
  now: () => Date = () => new Date(),
): Promise<RecoveryCodes> {
  signedInUser(ctx);
  const code = codeInput(input.code);
  return inTransaction(ctx.em, async (tx) => {
    const user = await lockedSelf(tx, ctx);
    if (user.totpEnabledAt) throw alreadyOn();
    if (!user.totpSecretCiphertext)
      throw new DomainError(ErrorCode.CONFLICT, 'No enrolment was started: start one to get a secret to scan');
    const at = now();
    const step = totpStepOf(openTotpSecret(deps.encryptionKey, user.id, user.totpSecretCiphertext), code, at);
    if (step === null)
      throw badInput('code', 'the code does not match: check the app shows Switchyard and the phone’s time is right');
    user.totpEnabledAt = at;
    user.totpLastStep = step;
    await tx.flush();
    const recoveryCodes = await replaceRecoveryCodes(tx, user.id, at);
    const otherSessionsEnded = await tx.nativeDelete(UserSession, {
      userId: user.id,
      ...(input.sessionId ? { id: { $ne: input.sessionId } } : {}),
    });
    await writeAudit(tx, ctx, {
      action: 'user.two_factor_enrolled',
      subjectType: 'user',
      subjectId: user.id,
      data: { otherSessionsEnded },
    });
    ctx.logger.info({ userId: user.id }, 'two-factor sign-in turned on');
    return { recoveryCodes, twoFactor: twoFactorStatusOf(user) };
  });
}

/** New recovery codes for a current code (TOTP or recovery); the old ones stop working. */
export async function regenerateRecoveryCodes(
  ctx: OperationContext,
  deps: TwoFactorDeps,
  input: { code: string; ip?: string | null },
  policy: SessionPolicy = DEFAULT_SESSION_POLICY,
  now: () => Date = () => new Date(),
): Promise<RecoveryCodes> {
  signedInUser(ctx);
  const code = codeInput(input.code);
  return withCurrentCode(ctx, deps, code, input.ip ?? null, policy, now, async (tx, user, at, method) => {
    const recoveryCodes = await replaceRecoveryCodes(tx, user.id, at);
    await writeAudit(tx, ctx, {
      action: 'user.recovery_codes_regenerated',
      subjectType: 'user',
      subjectId: user.id,
      data: { with: method },
    });
    return { recoveryCodes, twoFactor: twoFactorStatusOf(user) };
  });
}

/** Turns two-factor sign-in off for a current code; admins must keep it. */
export async function disableTwoFactor(
  ctx: OperationContext,
  deps: TwoFactorDeps,
  input: { code: string; ip?: string | null },
  policy: SessionPolicy = DEFAULT_SESSION_POLICY,
  now: () => Date = () => new Date(),
): Promise<TwoFactorStatus> {
  signedInUser(ctx);
  if (twoFactorRequiredFor(ctx.actor.role))
    throw new DomainError(
      ErrorCode.FORBIDDEN,
      'Two-factor sign-in is required for admins: it cannot be turned off (another admin can reset it for a new device)',
    );
  const code = codeInput(input.code);
  return withCurrentCode(ctx, deps, code, input.ip ?? null, policy, now, async (tx, user, _at, method) => {
    await clearTwoFactor(tx, user);
    await writeAudit(tx, ctx, {
      action: 'user.two_factor_disabled',
      subjectType: 'user',
      subjectId: user.id,
      data: { with: method },
    });
    ctx.logger.info({ userId: user.id }, 'two-factor sign-in turned off');
    return twoFactorStatusOf(user);
  });
}

/**
 * An admin turns another user's two-factor sign-in off (a lost phone, no recovery codes left)
 * and ends their sessions; they sign in with their password and, if an admin, must enrol again.
 */
export async function resetTwoFactor(ctx: OperationContext, userId: string): Promise<User> {
  if (userId === ctx.actor.id) throw badInput('id', 'you cannot reset your own two-factor sign-in; another admin can');
  const { id } = await findUser(ctx, userId);
  return inTransaction(ctx.em, async (tx) => {
    const user = await tx.findOneOrFail(User, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    const wasEnabled = !!user.totpEnabledAt;
    await clearTwoFactor(tx, user);
    const sessionsEnded = await endSessionsOf(tx, user.id);
    await writeAudit(tx, ctx, {
      action: 'user.two_factor_reset',
      subjectType: 'user',
      subjectId: user.id,
      data: { wasEnabled, sessionsEnded },
    });
    ctx.logger.info({ userId: user.id, by: ctx.actor.id }, 'two-factor sign-in reset');
    return user;
  });
}

/** Unused recovery codes a user has left. */
export async function recoveryCodesLeft(em: EntityManager, userId: string): Promise<number> {
  return em.count(UserRecoveryCode, { userId, usedAt: null });
}

/**
 * Runs `work` once `code` proves the signed-in user still holds the second factor; a wrong or
 * replayed code is counted (committed), and a locked user is refused before any check.
 */
async function withCurrentCode<T>(
  ctx: OperationContext,
  deps: TwoFactorDeps,
  code: string,
  ip: string | null,
  policy: SessionPolicy,
  now: () => Date,
  work: (tx: EntityManager, user: User, at: Date, method: 'totp' | 'recovery_code') => Promise<T>,
): Promise<T> {
  const result = await inTransaction(ctx.em, async (tx) => {
    const user = await lockedSelf(tx, ctx);
    const at = now();
    if (!user.totpEnabledAt) throw notOn();
    if (user.lockedUntil && user.lockedUntil > at) throw lockedError(user.lockedUntil);
    const check = await checkSecondFactor(tx, deps, user, code, at);
    if (!check.ok) {
      const { lockedUntil } = await recordSignInFailure(tx, ctx, user, {
        action: 'user.second_factor_failed',
        reason: check.reason,
        ip,
        policy,
        at,
        actor: { kind: 'user', id: user.id },
      });
      return {
        refused: lockedUntil ? lockedError(lockedUntil) : badInput('code', 'the code is wrong, or was already used'),
      };
    }
    await tx.flush();
    return { done: await work(tx, user, at, check.method) };
  });
  if ('refused' in result) throw result.refused;
  return result.done;
}

async function replaceRecoveryCodes(tx: EntityManager, userId: string, at: Date): Promise<string[]> {
  await tx.nativeDelete(UserRecoveryCode, { userId });
  const codes = newRecoveryCodes();
  for (const code of codes)
    tx.create(UserRecoveryCode, {
      codeHash: recoveryCodeHash(userId, normalRecoveryCode(code)!),
      userId,
      createdAt: at,
      usedAt: null,
    });
  await tx.flush();
  return codes;
}

async function clearTwoFactor(tx: EntityManager, user: User): Promise<void> {
  user.totpSecretCiphertext = null;
  user.totpEnabledAt = null;
  user.totpLastStep = null;
  await tx.flush();
  await tx.nativeDelete(UserRecoveryCode, { userId: user.id });
  await tx.nativeDelete(SignInChallenge, { userId: user.id });
}
