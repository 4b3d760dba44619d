import type { User } from './user.entity.js';

/**
 * Where a user stands with two-factor sign-in. Admins must have it: an admin without it may
 * sign in, but the session only lets them enrol (console-sessions.ts refuses everything else)
 * until they confirm a code. Others may turn it on and off.
 */
export interface TwoFactorStatus {
  enabled: boolean;
  required: boolean;
  /** Required but not on: the session may do nothing but enrol. */
  enrolmentRequired: boolean;
}

export const twoFactorRequiredFor = (role: string): boolean => role === 'admin';

export function twoFactorStatusOf(user: Pick<User, 'role' | 'totpEnabledAt'>): TwoFactorStatus {
  const enabled = !!user.totpEnabledAt;
  const required = twoFactorRequiredFor(user.role);
  return { enabled, required, enrolmentRequired: required && !enabled };
}
