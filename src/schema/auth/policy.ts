import type { Role } from '../../domain/auth/roles.js';

/**
 * Who may call each root operation: the one policy file. Resolvers pass these lists to
 * `@Authorized`, a test checks every root field of the schema is listed here, and the
 * role × operation matrix test is generated from it. `[]` admits any valid key; admin is
 * always admitted.
 */
export const POLICY = {
  // Query
  me: [],
  apiKeys: ['admin'],
  diagnosticPing: ['ops'],
  // Mutation
  createApiKey: ['admin'],
  revokeApiKey: ['admin'],
  requestDiagnosticPing: ['ops'],
} as const satisfies Record<string, readonly Role[]>;

export type OperationName = keyof typeof POLICY;

/** The roles for `@Authorized(...)`, as a mutable copy. */
export function allowed(operation: OperationName): Role[] {
  return [...POLICY[operation]];
}
