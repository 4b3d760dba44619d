import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '../auth/principal.js';
import { DomainError, ErrorCode } from '../errors.js';
import { recordOutboxEvent } from '../outbox/outbox.js';
import { OrderEvent } from './order-event.entity.js';
import type { Order } from './order.entity.js';
import { ORDER_TRANSITIONS, type OrderStatus } from './order-status.js';

/** Who acts, as the timeline records it. */
export function actorOf(principal: Principal): { actorKind: string; actorId: string } {
  return { actorKind: principal.kind === 'system' ? 'system' : 'api_key', actorId: principal.id };
}

/** Appends a timeline entry (and its outbox event) in the caller's transaction. */
export function recordOrderEvent(
  em: EntityManager,
  order: Order,
  actor: Principal,
  type: string,
  reason: string | null,
  data: Record<string, unknown> | null = null,
  statuses: { from: OrderStatus; to: OrderStatus } | null = null,
): void {
  const event = em.create(OrderEvent, {
    order,
    type,
    fromStatus: statuses?.from ?? null,
    toStatus: statuses?.to ?? null,
    ...actorOf(actor),
    reason,
    data,
  });
  recordOutboxEvent(em, 'order.event_recorded', order.id, {
    orderId: order.id,
    channelId: order.channel.id,
    type,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    reason,
    actorKind: event.actorKind,
    actorId: event.actorId,
    at: new Date().toISOString(),
  });
}

/**
 * Moves an order along the lifecycle table, or refuses with ILLEGAL_TRANSITION naming the
 * current status and the allowed next ones. Every move is on the timeline with who and why.
 */
export function transitionOrder(em: EntityManager, order: Order, to: OrderStatus, actor: Principal, reason: string, data: Record<string, unknown> | null = null): void {
  const from = order.status;
  const allowed = ORDER_TRANSITIONS[from];
  if (!allowed.includes(to)) {
    throw new DomainError(
      ErrorCode.ILLEGAL_TRANSITION,
      `Order ${order.number} is ${from} and cannot become ${to}; allowed next: ${allowed.length ? allowed.join(', ') : 'none (final state)'}`,
      { orderId: order.id, current: from, requested: to, allowed: [...allowed] },
    );
  }
  order.status = to;
  recordOrderEvent(em, order, actor, 'status_changed', reason, data, { from, to });
  recordOutboxEvent(em, 'order.status_changed', order.id, {
    orderId: order.id,
    number: order.number,
    channelId: order.channel.id,
    from,
    to,
    reason,
    at: new Date().toISOString(),
  });
}
