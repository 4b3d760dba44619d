import type { EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { actorOf } from '../orders/order-transitions.js';

/** One audited action. `data` holds ids, counts and flags only: never personal data. */
export interface AuditEntry {
  action: string;
  subjectType: string;
  subjectId: string;
  data?: Record<string, unknown>;
  /** Who acted, when it is not the context's principal (a sign-in: the user, or nobody known). */
  actor?: { kind: string; id: string };
  /** The caller's address, where the transport gave it (sign-ins). */
  ip?: string | null;
}

/**
 * Appends one row to `audit_log` in the caller's transaction (`em` is the transaction's
 * EntityManager), so the action and its record commit or roll back together. The table is
 * append-only (a trigger refuses UPDATE and DELETE). The caller's IP is recorded where the
 * transport passes it (`entry.ip`: sign-ins); the operation context does not carry it.
 */
export async function writeAudit(em: EntityManager, ctx: OperationContext, entry: AuditEntry): Promise<void> {
  const { actorKind, actorId } = entry.actor
    ? { actorKind: entry.actor.kind, actorId: entry.actor.id }
    : actorOf(ctx.actor);
  await em.getConnection().execute(
    `insert into audit_log (actor_kind, actor_id, action, subject_type, subject_id, ip, data)
     values (?, ?, ?, ?, ?, ?, ?::jsonb)`,
    [
      actorKind,
      actorId,
      entry.action,
      entry.subjectType,
      entry.subjectId,
      entry.ip ?? null,
      JSON.stringify({ requestId: ctx.requestId, ...entry.data }),
    ],
    'run',
    em.getTransactionContext(),
  );
}
