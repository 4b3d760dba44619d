import type { EntityManager } from '@mikro-orm/core';
import { createHash, randomBytes } from 'node:crypto';
import { writeAudit } from '../audit/audit-log.js';
import type { OperationContext } from '../context.js';
import type { SecondFactorRequired } from './sessions.js';
import { SignInChallenge } from './sign-in-challenge.entity.js';
import type { User } from './user.entity.js';

/**
 * The pending state between a right password and the second factor. Its token
 * (`syc_<43 base64url>`, 256 random bits) goes to the browser in the answer to the password
 * step; the database keeps only its SHA-256, bound to the user, for `CHALLENGE_MS`. It opens
 * nothing by itself: only `verifySignIn` with it and a right code opens a session, and uses it up.
 */
export const CHALLENGE_MS = 5 * 60_000;
export const CHALLENGE_TOKEN = /^syc_[A-Za-z0-9_-]{43}$/;

export const challengeIdOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export async function issueChallenge(
  tx: EntityManager,
  ctx: OperationContext,
  user: User,
  o: { ip: string | null; userAgent?: string | null; at: Date },
): Promise<SecondFactorRequired> {
  const token = `syc_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(o.at.getTime() + CHALLENGE_MS);
  tx.create(SignInChallenge, {
    id: challengeIdOf(token),
    userId: user.id,
    createdAt: o.at,
    expiresAt,
    ip: o.ip,
    userAgent: o.userAgent?.slice(0, 200) ?? null,
  });
  // Expired challenges of this user go as a new one comes: the table holds only live ones.
  await tx.nativeDelete(SignInChallenge, { userId: user.id, expiresAt: { $lte: o.at } });
  await tx.flush();
  await writeAudit(tx, ctx, {
    action: 'user.second_factor_requested',
    subjectType: 'user',
    subjectId: user.id,
    actor: { kind: 'anonymous', id: 'anonymous' },
    ip: o.ip,
  });
  ctx.logger.info({ userId: user.id }, 'console sign-in: password accepted, second factor requested');
  return { kind: 'second_factor', secondFactor: 'totp', challenge: token, expiresAt };
}
