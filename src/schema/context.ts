import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from 'pino';
import type { Principal } from '../domain/auth/principal.js';
import type { OperationContext } from '../domain/context.js';
import { DomainError, ErrorCode } from '../domain/errors.js';
import type { PingDispatcher } from '../domain/diagnostics/diagnostics.service.js';
import type { ApiKeyAuthenticator } from '../platform/api-key-authenticator.js';

/** What resolvers may use: the caller, a forked EntityManager and the adapters the domain needs. */
export interface GraphQLContext {
  principal: Principal | null;
  requestId: string;
  em: EntityManager;
  logger: Logger;
  services: GraphQLServices;
}

export interface GraphQLServices {
  authenticator: ApiKeyAuthenticator;
  pingDispatcher: PingDispatcher;
}

/** The domain's operation context for an authorised resolver. */
export function operationContext(ctx: GraphQLContext): OperationContext {
  if (!ctx.principal) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'An API key is required');
  return { actor: ctx.principal, requestId: ctx.requestId, em: ctx.em, logger: ctx.logger };
}
