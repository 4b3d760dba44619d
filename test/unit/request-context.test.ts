import { describe, expect, it } from '@jest/globals';
import type { EntityManager } from '@mikro-orm/core';
import { RequestContext, operationContext, type GraphQLServices } from '../../src/schema/context.js';
import { ADMIN, quietLogger } from '../support/context.js';

function countingOrm() {
  let forks = 0;
  const em = { fork: () => (forks++, {} as EntityManager) } as unknown as EntityManager;
  return { orm: { em }, forks: () => forks };
}

describe('request context', () => {
  it('forks an EntityManager only when a resolver first uses it, once', () => {
    const counting = countingOrm();
    const ctx = new RequestContext(ADMIN, 'r1', {} as GraphQLServices, counting.orm, quietLogger);
    // Apollo copies the context per operation with Object.assign; that must not fork.
    const copy = Object.assign(Object.create(Object.getPrototypeOf(ctx) as object) as RequestContext, ctx);
    const op = operationContext(copy);
    expect(op.actor).toBe(ADMIN);
    expect(counting.forks()).toBe(0);
    expect(op.em).toBe(op.em);
    expect(counting.forks()).toBe(1);
  });

  it('refuses to build an operation context without a caller', () => {
    const ctx = new RequestContext(null, 'r2', {} as GraphQLServices, countingOrm().orm, quietLogger);
    expect(() => operationContext(ctx)).toThrow('An API key is required');
  });
});
