import type { OrderStatus } from '../orders/order-status.js';
import type { OutboxTopic } from './outbox.js';

/**
 * An outbox row as it leaves the hub, once its transaction has committed. Delivery is at least
 * once: the same `id` may arrive twice (a relay that died between publishing and marking), so
 * consumers dedupe on it. Within one aggregate, messages arrive in the order they were committed.
 */
export interface OutboxMessage<P = Record<string, unknown>> {
  id: number;
  topic: OutboxTopic;
  aggregateId: string;
  payload: P;
  /** ISO 8601, when the change was committed (the row's created_at). */
  createdAt: string;
}

/** The payload of each topic, as written by the domain (flat JSON, dates as ISO strings). */
export interface OutboxPayloads {
  'order.status_changed': {
    orderId: string;
    number: string;
    channelId: string;
    from: OrderStatus;
    to: OrderStatus;
    reason: string;
    at: string;
  };
  'order.event_recorded': {
    orderId: string;
    channelId: string;
    type: string;
    fromStatus: OrderStatus | null;
    toStatus: OrderStatus | null;
    reason: string | null;
    actorKind: string;
    actorId: string;
    at: string;
    /** Set when the event concerns one shipment. */
    shipmentId?: string;
    /** Set when the event moved money (payment_refunded, payment_voided, …): minor units. */
    amount?: number;
    currency?: string;
  };
  'stock.level_changed': {
    variantId: string;
    locationId: string;
    onHand: number;
    reserved: number;
    safetyStock: number;
    reorderPoint: number;
    available: number;
  };
  'stock.low': {
    variantId: string;
    locationId: string;
    onHand: number;
    reserved: number;
    safetyStock: number;
    reorderPoint: number;
    available: number;
    at: string;
  };
  /**
   * A channel was connected, changed, disconnected or reconnected: whoever schedules its sync
   * re-reads the channel row (enabled, disconnectedAt) and (re)schedules or stops it.
   */
  'channel.changed': { channelId: string };
  /**
   * A SKU was listed on a channel by hand: its figure is pushed at once, not only after its next
   * stock change (the platform may hold anything until then).
   */
  'channel.listing_mapped': { channelId: string; sku: string };
  /**
   * A payment step (a gateway call: authorise, capture, void, refund) was decided and stored;
   * the payments job makes the call. `key` is the step's idempotency key (payment-keys.ts).
   */
  'payment.step_requested': { orderId: string; key: string };
}

export type TopicMessage<T extends keyof OutboxPayloads> = OutboxMessage<OutboxPayloads[T]> & { topic: T };
