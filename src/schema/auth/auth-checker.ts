import type { AuthChecker } from 'type-graphql';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import type { Role } from '../../domain/auth/roles.js';
import { graphqlEnumName } from '../common/enum-of.js';
import type { GraphQLContext } from '../context.js';

/**
 * `@Authorized()` admits any valid key; `@Authorized(['ops'])` admits ops and admin.
 * No key → UNAUTHENTICATED; the wrong role → FORBIDDEN naming the roles that may.
 */
export const authChecker: AuthChecker<GraphQLContext, Role> = ({ context, info }, roles) => {
  const principal = context.principal;
  if (!principal) {
    throw new DomainError(ErrorCode.UNAUTHENTICATED, 'An API key is required: send "Authorization: Bearer <key>"');
  }
  if (roles.length === 0 || principal.role === 'admin' || roles.includes(principal.role)) return true;
  // Named as the schema's Role enum names them (READ_ONLY), not as they are stored.
  const role = graphqlEnumName(principal.role);
  const allowed = [...new Set(['admin', ...roles])].map(graphqlEnumName);
  throw new DomainError(
    ErrorCode.FORBIDDEN,
    `Role ${role} may not call ${info.parentType.name}.${info.fieldName}; allowed: ${allowed.join(', ')}`,
    { role, allowed },
  );
};
