/** The roles an API key can carry. `admin` may do everything. */
export const Role = {
  admin: 'admin',
  ops: 'ops',
  support: 'support',
  finance: 'finance',
  read_only: 'read_only',
  integration: 'integration',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
export const ALL_ROLES = Object.values(Role) as Role[];

export function isRole(value: string): value is Role {
  return (ALL_ROLES as string[]).includes(value);
}
