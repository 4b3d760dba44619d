import { defineEntity, p } from '@mikro-orm/core';

/**
 * The state between a right password and the second factor: the id is the SHA-256 (hex) of the
 * challenge token the browser got back from the password step, bound to one user and short-lived
 * (sign-in-challenge.ts). It opens no session by itself.
 */
export const SignInChallengeSchema = defineEntity({
  name: 'SignInChallenge',
  tableName: 'sign_in_challenge',
  properties: {
    id: p.string().length(64).primary(),
    userId: p.uuid(),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
    ip: p.string().length(64).nullable(),
    userAgent: p.string().length(200).nullable(),
  },
});

export class SignInChallenge extends SignInChallengeSchema.class {}
SignInChallengeSchema.setClass(SignInChallenge);
