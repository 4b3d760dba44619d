import type { EntityManager } from '@mikro-orm/core';
import { writeAudit } from '../audit/audit-log.js';
import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { SessionPolicy } from './sessions.js';
import { SignInChallenge } from './sign-in-challenge.entity.js';
import type { User } from './user.entity.js';

/**
 * One failed proof of who a user is — a wrong password, a wrong or replayed second-factor code —
 * counted on the user's row, which the caller holds locked, so concurrent guesses cannot slip
 * past the limit. Passwords and codes share one count: `maxFailures` of them in a row lock the
 * user for `lockMs`, and only a complete sign-in resets it (a right password alone does not, or
 * someone holding the password could try codes without end). A lock also drops the user's
 * pending sign-in challenges. Audited as `action`, or `user.locked` when this failure locks.
 */
export async function recordSignInFailure(
  tx: EntityManager,
  ctx: OperationContext,
  user: User,
  failure: {
    action: 'user.sign_in_failed' | 'user.second_factor_failed';
    reason: string;
    ip: string | null;
    policy: SessionPolicy;
    at: Date;
    /** Who tried: nobody known on the sign-in page, the user themselves in a signed-in change. */
    actor?: { kind: string; id: string };
  },
): Promise<{ lockedUntil: Date | null }> {
  user.failedSignIns += 1;
  const lockNow = user.failedSignIns >= failure.policy.maxFailures;
  if (lockNow) {
    user.lockedUntil = new Date(failure.at.getTime() + failure.policy.lockMs);
    user.failedSignIns = 0;
  }
  await tx.flush();
  if (lockNow) await tx.nativeDelete(SignInChallenge, { userId: user.id });
  await writeAudit(tx, ctx, {
    action: lockNow ? 'user.locked' : failure.action,
    subjectType: 'user',
    subjectId: user.id,
    actor: failure.actor ?? { kind: 'anonymous', id: 'anonymous' },
    ip: failure.ip,
    data: lockNow
      ? { reason: failure.reason, lockedUntil: user.lockedUntil!.toISOString() }
      : { reason: failure.reason },
  });
  ctx.logger.info({ userId: user.id, reason: failure.reason, locked: lockNow }, 'console sign-in refused');
  return { lockedUntil: lockNow ? user.lockedUntil! : null };
}

/** The answer while a user is locked: RATE_LIMITED with the time it ends (the route's Retry-After). */
export function lockedError(until: Date): DomainError {
  return new DomainError(
    ErrorCode.RATE_LIMITED,
    `Too many failed sign-ins: this account is locked until ${until.toISOString()}`,
    { lockedUntil: until.toISOString() },
  );
}
