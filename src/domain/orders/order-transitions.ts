import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '../auth/principal.js';
import { recordOutboxEvent, type OutboxTopic } from '../outbox/outbox.js';
import { guardTransition } from '../state-machine.js';
import { OrderEvent } from './order-event.entity.js';
import type { Order } from './order.entity.js';
import { ORDER_TRANSITIONS, type OrderStatus } from './order-status.js';

/** Who acts, as the timeline records it. */
export function actorOf(principal: Principal): { actorKind: string; actorId: string } {
  const actorKind = principal.kind === 'system' || principal.kind === 'user' ? principal.kind : 'api_key';
  return { actorKind, actorId: principal.id };
}

/** A timeline row as stored, before it has an id. */
export interface OrderEventRecord {
  type: string;
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus | null;
  actorKind: string;
  actorId: string;
  reason: string | null;
  data: Record<string, unknown> | null;
}

/** An outbox row as stored, before it has an id. */
export interface OutboxRecord {
  topic: OutboxTopic;
  aggregateId: string;
  payload: Record<string, unknown>;
}

/** What an order event consists of: its timeline row and the `order.event_recorded` message. */
export function orderEventRecords(
  order: { id: string; channelId: string },
  actor: Principal,
  type: string,
  reason: string | null,
  data: Record<string, unknown> | null = null,
  statuses: { from: OrderStatus; to: OrderStatus } | null = null,
): { event: OrderEventRecord; outbox: OutboxRecord } {
  const event: OrderEventRecord = {
    type,
    fromStatus: statuses?.from ?? null,
    toStatus: statuses?.to ?? null,
    ...actorOf(actor),
    reason,
    data,
  };
  const payload = {
    orderId: order.id,
    channelId: order.channelId,
    type,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    reason,
    actorKind: event.actorKind,
    actorId: event.actorId,
    at: new Date().toISOString(),
    // What consumers need to act on the event without reading the timeline (a shipment's id,
    // the money a payment event moved): only when the event's data has them.
    ...(typeof data?.shipmentId === 'string' ? { shipmentId: data.shipmentId } : {}),
    ...(typeof data?.amount === 'number' && typeof data.currency === 'string'
      ? { amount: data.amount, currency: data.currency }
      : {}),
  };
  return { event, outbox: { topic: 'order.event_recorded', aggregateId: order.id, payload } };
}

/** The `order.status_changed` message of a move; throws ILLEGAL_TRANSITION for a move the lifecycle forbids. */
export function statusChangeRecord(
  order: { id: string; number: string; channelId: string },
  from: OrderStatus,
  to: OrderStatus,
  reason: string,
): OutboxRecord {
  guardTransition(ORDER_TRANSITIONS, { label: `Order ${order.number}`, ids: { orderId: order.id } }, from, to);
  return {
    topic: 'order.status_changed',
    aggregateId: order.id,
    payload: {
      orderId: order.id,
      number: order.number,
      channelId: order.channelId,
      from,
      to,
      reason,
      at: new Date().toISOString(),
    },
  };
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
  const { event, outbox } = orderEventRecords(
    { id: order.id, channelId: order.channel.id },
    actor,
    type,
    reason,
    data,
    statuses,
  );
  em.create(OrderEvent, { order, ...event });
  recordOutboxEvent(em, outbox.topic, outbox.aggregateId, outbox.payload);
}

/**
 * Moves an order along the lifecycle table, or refuses with ILLEGAL_TRANSITION naming the
 * current status and the allowed next ones. Every move is on the timeline with who and why.
 */
export function transitionOrder(
  em: EntityManager,
  order: Order,
  to: OrderStatus,
  actor: Principal,
  reason: string,
  data: Record<string, unknown> | null = null,
): void {
  const from = order.status;
  const statusChange = statusChangeRecord(
    { id: order.id, number: order.number, channelId: order.channel.id },
    from,
    to,
    reason,
  );
  order.status = to;
  recordOrderEvent(em, order, actor, 'status_changed', reason, data, { from, to });
  recordOutboxEvent(em, statusChange.topic, statusChange.aggregateId, statusChange.payload);
}
