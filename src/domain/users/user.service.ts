import { LockMode, UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import { writeAudit } from '../audit/audit-log.js';
import { ALL_ROLES, isRole, type Role } from '../auth/roles.js';
import { Channel } from '../channels/channel.entity.js';
import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { emailAddress } from '../input-formats.js';
import { newestFirstPage } from '../newest-first-page.js';
import type { Page } from '../pagination.js';
import { inTransaction } from '../transaction.js';
import { hashPassword } from './password-hash.js';
import { endSessionsOf } from './sessions.js';
import { validPassword } from './password-policy.js';
import { User } from './user.entity.js';

/**
 * Console users, managed by admins (GraphQL) and by `switchyard create-user`. Every creation,
 * change of role, scope or password, and deactivation is written to the audit log in the same
 * transaction — never the password or its hash. A role or scope change applies to open sessions
 * at their next request (the principal is read from the user row each time); a new password or a
 * deactivation ends them.
 */

export interface CreateUserInput {
  email: string;
  name: string;
  role: string;
  channelId?: string | null;
  password: string;
}

export interface UpdateUserInput {
  name?: string | null;
  role?: string | null;
  /** A channel id to scope the user to; null lifts the scope; left out keeps it. */
  channelId?: string | null;
  password?: string | null;
}

const validName = (field: string, value: string) => {
  const name = value.trim();
  if (name.length < 1 || name.length > 100) throw badInput(field, 'must be 1 to 100 characters', { min: 1, max: 100 });
  return name;
};

const validRole = (field: string, value: string): Role => {
  const role = value.toLowerCase();
  if (!isRole(role)) throw badInput(field, `must be one of ${ALL_ROLES.join(', ')}`, { allowed: ALL_ROLES });
  return role;
};

async function validScope(ctx: OperationContext, role: Role, channelId: string | null): Promise<string | null> {
  if (channelId === null) return null;
  if (role === 'admin')
    throw badInput(
      'channelId',
      'an admin cannot be limited to one channel; pick another role or leave channelId empty',
    );
  if (!(await ctx.em.findOne(Channel, { id: channelId }, { fields: ['id'] })))
    throw badInput('channelId', `no channel ${JSON.stringify(channelId.slice(0, 64))}`);
  return channelId;
}

export async function createUser(ctx: OperationContext, input: CreateUserInput): Promise<User> {
  const email = emailAddress('email', input.email);
  const name = validName('name', input.name);
  const role = validRole('role', input.role);
  const channelId = await validScope(ctx, role, input.channelId ?? null);
  const passwordHash = await hashPassword(validPassword('password', input.password, email));
  try {
    return await inTransaction(ctx.em, async (tx) => {
      const now = new Date();
      const user = tx.create(User, {
        email,
        name,
        role,
        channelId,
        passwordHash,
        passwordChangedAt: now,
        createdBy: ctx.actor.id,
        deactivatedAt: null,
        deactivatedBy: null,
      });
      await tx.flush();
      await writeAudit(tx, ctx, {
        action: 'user.created',
        subjectType: 'user',
        subjectId: user.id,
        data: { role, channelId },
      });
      ctx.logger.info({ userId: user.id, role, by: ctx.actor.id }, 'user created');
      return user;
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException)
      throw new DomainError(ErrorCode.CONFLICT, 'email: a user with this email already exists', { field: 'email' });
    throw error;
  }
}

export async function findUser(ctx: OperationContext, id: string): Promise<User> {
  const user = isUuid(id) ? await ctx.em.findOne(User, { id }) : null;
  if (!user) throw notFound('User', id);
  return user;
}

/** Changes what is given; the audit entry names the fields changed (role and scope with their values). */
export async function updateUser(ctx: OperationContext, id: string, input: UpdateUserInput): Promise<User> {
  const current = await findUser(ctx, id);
  const name = input.name == null ? undefined : validName('name', input.name);
  const role = input.role == null ? undefined : validRole('role', input.role);
  const nextRole = role ?? (current.role as Role);
  const channelId =
    input.channelId === undefined
      ? nextRole === 'admin'
        ? null
        : (current.channelId ?? null)
      : await validScope(ctx, nextRole, input.channelId);
  const passwordHash =
    input.password == null ? undefined : await hashPassword(validPassword('password', input.password, current.email));
  return inTransaction(ctx.em, async (tx) => {
    const user = await tx.findOneOrFail(
      User,
      { id: current.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (user.deactivatedAt)
      throw new DomainError(ErrorCode.ILLEGAL_TRANSITION, `User ${user.id} is deactivated: it cannot be changed`, {
        userId: user.id,
      });
    if (role !== undefined && role !== 'admin' && user.role === 'admin' && user.id === ctx.actor.id)
      throw badInput('role', 'you cannot take away your own admin role; another admin can');
    const changed: Record<string, unknown> = {};
    if (name !== undefined && name !== user.name) {
      user.name = name;
      changed.name = true;
    }
    if (role !== undefined && role !== user.role) {
      changed.role = { from: user.role, to: role };
      user.role = role;
    }
    if (channelId !== (user.channelId ?? null)) {
      changed.channelId = { from: user.channelId ?? null, to: channelId };
      user.channelId = channelId;
    }
    if (passwordHash !== undefined) {
      user.passwordHash = passwordHash;
      user.passwordChangedAt = new Date();
      // A new password also unlocks, and signs out every browser the old one opened.
      user.failedSignIns = 0;
      user.lockedUntil = null;
      changed.password = true;
    }
    if (Object.keys(changed).length === 0) return user;
    await tx.flush();
    if (changed.password) changed.sessionsEnded = await endSessionsOf(tx, user.id);
    await writeAudit(tx, ctx, { action: 'user.updated', subjectType: 'user', subjectId: user.id, data: changed });
    ctx.logger.info({ userId: user.id, changed: Object.keys(changed), by: ctx.actor.id }, 'user updated');
    return user;
  });
}

/** Idempotent: a user deactivated twice keeps its first deactivation. Nobody deactivates themselves. */
export async function deactivateUser(ctx: OperationContext, id: string): Promise<User> {
  const current = await findUser(ctx, id);
  if (current.id === ctx.actor.id) throw badInput('id', 'you cannot deactivate yourself; another admin can');
  return inTransaction(ctx.em, async (tx) => {
    const user = await tx.findOneOrFail(
      User,
      { id: current.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (user.deactivatedAt) return user;
    user.deactivatedAt = new Date();
    user.deactivatedBy = ctx.actor.id;
    await tx.flush();
    const sessionsEnded = await endSessionsOf(tx, user.id);
    await writeAudit(tx, ctx, {
      action: 'user.deactivated',
      subjectType: 'user',
      subjectId: user.id,
      data: { sessionsEnded },
    });
    ctx.logger.info({ userId: user.id, by: ctx.actor.id }, 'user deactivated');
    return user;
  });
}

export async function listUsers(
  ctx: OperationContext,
  args: { first?: number | null; after?: string | null; includeDeactivated?: boolean | null },
): Promise<Page<User>> {
  const where: FilterQuery<User> = args.includeDeactivated ? {} : { deactivatedAt: null };
  return newestFirstPage(ctx.em, User, where, args);
}
