import { LockMode } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import { inTransaction } from '../transaction.js';
import { writeAudit } from '../audit/audit-log.js';
import { checkSecondFactor, codeInput, type TwoFactorDeps } from './second-factor.js';
import { DEFAULT_SESSION_POLICY, openSession, type SessionPolicy, type SignedIn } from './sessions.js';
import { CHALLENGE_TOKEN, challengeIdOf } from './sign-in-challenge.js';
import { SignInChallenge } from './sign-in-challenge.entity.js';
import { lockedError, recordSignInFailure } from './sign-in-failures.js';
import { User } from './user.entity.js';

export interface VerifySignInInput {
  challenge: string;
  code: string;
  ip?: string | null;
  userAgent?: string | null;
}

const EXPIRED = 'This sign-in has expired or is unknown: enter your email and password again';
const WRONG_CODE = 'The code is wrong, or was already used';

/**
 * The second step of a two-factor sign-in: the challenge from the password step and a code —
 * a TOTP code (each time step accepted once) or an unused recovery code (then used up). A right
 * code uses up the challenge and opens the session; a wrong or replayed one counts towards the
 * user's lockout like a wrong password, and the challenge stays for another try until it
 * expires or the user is locked. All of it under the user's row lock.
 */
export async function verifySignIn(
  ctx: OperationContext,
  deps: TwoFactorDeps,
  input: VerifySignInInput,
  policy: SessionPolicy = DEFAULT_SESSION_POLICY,
  now: () => Date = () => new Date(),
): Promise<SignedIn> {
  const code = codeInput(input.code);
  const ip = input.ip?.slice(0, 64) ?? null;
  if (!CHALLENGE_TOKEN.test(input.challenge)) throw new DomainError(ErrorCode.UNAUTHENTICATED, EXPIRED);
  const id = challengeIdOf(input.challenge);
  const pending = await ctx.em.fork().findOne(SignInChallenge, { id });
  if (!pending) throw new DomainError(ErrorCode.UNAUTHENTICATED, EXPIRED);

  const result = await inTransaction(ctx.em, async (tx) => {
    const user = await tx.findOneOrFail(
      User,
      { id: pending.userId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    const at = now();
    // Read again under the lock: a concurrent verify may have used it up meanwhile.
    const challenge = await tx.findOne(SignInChallenge, { id }, { refresh: true });
    const refuse = async (reason: string, error: DomainError) => {
      await writeAudit(tx, ctx, {
        action: 'user.second_factor_failed',
        subjectType: 'user',
        subjectId: user.id,
        actor: { kind: 'anonymous', id: 'anonymous' },
        ip,
        data: { reason },
      });
      ctx.logger.info({ userId: user.id, reason }, 'console sign-in refused');
      return { refused: error };
    };
    if (!challenge) return { refused: new DomainError(ErrorCode.UNAUTHENTICATED, EXPIRED) };
    if (challenge.expiresAt <= at || user.deactivatedAt || !user.totpEnabledAt) {
      // Expired, or the user changed since the password step (deactivated, two-factor reset).
      await tx.nativeDelete(SignInChallenge, { id });
      return refuse(
        challenge.expiresAt <= at ? 'challenge_expired' : 'user_changed',
        new DomainError(ErrorCode.UNAUTHENTICATED, EXPIRED),
      );
    }
    if (user.lockedUntil && user.lockedUntil > at) return refuse('locked', lockedError(user.lockedUntil));

    const check = await checkSecondFactor(tx, deps, user, code, at);
    if (!check.ok) {
      const { lockedUntil } = await recordSignInFailure(tx, ctx, user, {
        action: 'user.second_factor_failed',
        reason: check.reason,
        ip,
        policy,
        at,
      });
      // Committed before the answer: the count must survive the refusal.
      return {
        refused: lockedUntil ? lockedError(lockedUntil) : new DomainError(ErrorCode.UNAUTHENTICATED, WRONG_CODE),
      };
    }
    await tx.nativeDelete(SignInChallenge, { id });
    if (check.method === 'recovery_code')
      await writeAudit(tx, ctx, {
        action: 'user.recovery_code_used',
        subjectType: 'user',
        subjectId: user.id,
        actor: { kind: 'user', id: user.id },
        ip,
        data: { recoveryCodesLeft: check.recoveryCodesLeft },
      });
    const signed = await openSession(tx, ctx, user, {
      ip,
      userAgent: input.userAgent,
      at,
      policy,
      secondFactor: check.method,
    });
    return { signedIn: signed };
  });
  if ('refused' in result) throw result.refused;
  return result.signedIn;
}
