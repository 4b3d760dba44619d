import { defineEntity, p } from '@mikro-orm/core';

/**
 * One of a user's two-factor recovery codes, kept only as the SHA-256 of the user id and the
 * code (recovery-codes.ts): shown once when made, good for one sign-in (`usedAt` then set).
 */
export const UserRecoveryCodeSchema = defineEntity({
  name: 'UserRecoveryCode',
  tableName: 'user_recovery_code',
  properties: {
    codeHash: p.string().length(64).primary(),
    userId: p.uuid(),
    createdAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});

export class UserRecoveryCode extends UserRecoveryCodeSchema.class {}
UserRecoveryCodeSchema.setClass(UserRecoveryCode);
