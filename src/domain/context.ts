import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from './auth/principal.js';

/** The smallest logger the domain needs; pino satisfies it. */
export interface DomainLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * What every domain operation receives first: who is acting, under which request id, and the
 * EntityManager forked for this request or job. The same service then runs unchanged from a
 * resolver, a job or the CLI.
 */
export interface OperationContext {
  actor: Principal;
  requestId: string;
  em: EntityManager;
  logger: DomainLogger;
}
