import type { EntityManager } from '@mikro-orm/core';
import { pino } from 'pino';
import type { Principal } from '../../src/domain/auth/principal.js';
import type { OperationContext } from '../../src/domain/context.js';

export const ADMIN: Principal = {
  kind: 'api_key',
  id: 'test-admin',
  name: 'test admin',
  role: 'admin',
  channelId: null,
  keyPrefix: null,
};

export const quietLogger = pino({ level: 'silent' });

export function contextFor(em: EntityManager, actor: Principal = ADMIN): OperationContext {
  return { actor, requestId: 'test', em: em.fork(), logger: quietLogger };
}
