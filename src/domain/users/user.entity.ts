import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/**
 * A person who signs in to the console (API keys stay for machines): the same roles and optional
 * channel scope as a key. Only an argon2id hash of the password is stored (password-hash.ts).
 * Deactivated users keep their row (the audit log and timelines name them) but cannot sign in.
 */
export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'app_user',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    /** Lower-cased; unique among all users, deactivated ones included. */
    email: p.string().length(254),
    name: p.string().length(100),
    role: p.string().length(20),
    channelId: p.string().length(64).nullable(),
    passwordHash: p.string().length(255).hidden(),
    passwordChangedAt: p.datetime(),
    createdBy: p.string().length(64),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    /** Consecutive failed sign-ins since the last success (sign-in.ts locks the user at the limit). */
    failedSignIns: p.integer().default(0),
    lockedUntil: p.datetime().nullable(),
    lastSignInAt: p.datetime().nullable(),
    deactivatedAt: p.datetime().nullable(),
    deactivatedBy: p.string().length(64).nullable(),
    /**
     * The TOTP secret (base32), encrypted under the hub's key with the user id as associated data
     * (totp-secret.ts). Set with `totpEnabledAt` null: an enrolment started but not confirmed.
     */
    totpSecretCiphertext: p.text().nullable().hidden(),
    /** When two-factor sign-in was turned on; null: off. */
    totpEnabledAt: p.datetime().nullable(),
    /** The last TOTP time step a code was accepted for: a code is refused for it and any earlier one. */
    totpLastStep: p.integer().nullable().hidden(),
  },
});

export class User extends UserSchema.class {}
UserSchema.setClass(User);
