import type { EntityManager } from '@mikro-orm/core';
import { normalRecoveryCode, recoveryCodeHash } from './recovery-codes.js';
import { openTotpSecret } from './totp-secret.js';
import { isTotpShape, totpStepOf } from './totp.js';
import { UserRecoveryCode } from './user-recovery-code.entity.js';
import type { User } from './user.entity.js';
import { badInput } from '../errors.js';

/** The hub's encryption key, which TOTP secrets are stored under (the channel credentials' key). */
export interface TwoFactorDeps {
  encryptionKey: Buffer;
}

export type SecondFactorCheck =
  | { ok: true; method: 'totp' | 'recovery_code'; recoveryCodesLeft?: number }
  | { ok: false; reason: 'wrong_code' | 'replayed_code' };

/** Trims a typed code and refuses what can be neither a TOTP code nor a recovery code (not a guess: not counted). */
export function codeInput(code: unknown): string {
  const typed = typeof code === 'string' ? code.trim() : '';
  if (typed.length > 64 || !(isTotpShape(typed) || normalRecoveryCode(typed)))
    throw badInput('code', 'enter the 6-digit code from your authenticator app, or one of your recovery codes');
  return typed;
}

/**
 * Checks a second-factor code for `user`, whose row the caller holds locked (so two requests
 * carrying the same code cannot both pass), and uses it up: a TOTP code moves the user's last
 * accepted step forward (the caller flushes), a recovery code is marked used. A TOTP code for a
 * step at or before the last accepted one is refused as replayed.
 */
export async function checkSecondFactor(
  tx: EntityManager,
  deps: TwoFactorDeps,
  user: User,
  code: string,
  at: Date,
): Promise<SecondFactorCheck> {
  if (!user.totpEnabledAt || !user.totpSecretCiphertext) return { ok: false, reason: 'wrong_code' };
  if (isTotpShape(code)) {
    const step = totpStepOf(openTotpSecret(deps.encryptionKey, user.id, user.totpSecretCiphertext), code, at);
    if (step === null) return { ok: false, reason: 'wrong_code' };
    if (user.totpLastStep != null && step <= user.totpLastStep) return { ok: false, reason: 'replayed_code' };
    user.totpLastStep = step;
    return { ok: true, method: 'totp' };
  }
  const normal = normalRecoveryCode(code);
  if (!normal) return { ok: false, reason: 'wrong_code' };
  const used = await tx.nativeUpdate(
    UserRecoveryCode,
    { codeHash: recoveryCodeHash(user.id, normal), userId: user.id, usedAt: null },
    { usedAt: at },
  );
  if (used !== 1) return { ok: false, reason: 'wrong_code' };
  const recoveryCodesLeft = await tx.count(UserRecoveryCode, { userId: user.id, usedAt: null });
  return { ok: true, method: 'recovery_code', recoveryCodesLeft };
}
