/**
 * What the hub tells a customer about their order, and the key that makes each message once:
 * one per (order, notification), where a notification that can happen more than once names
 * what it is about (a shipment, a refund).
 */
export const NOTIFICATION_KINDS = ['confirmed', 'shipped', 'delayed', 'delivered', 'refunded'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** One message to send: enough to find everything else in the database. */
export interface NotificationRequest {
  kind: NotificationKind;
  orderId: string;
  /** `shipped`: the shipment that left. */
  shipmentId?: string;
  /** `refunded`: what was given back (minor units). */
  refund?: { amount: number; currency: string; reference: string };
}

/**
 * The idempotency key of a request: `confirmed:<order>`, `shipped:<order>:<shipment>`,
 * `refunded:<order>:<reference>` (the outbox event's id, stable across redeliveries).
 */
export function notificationKey(request: NotificationRequest): string {
  const part =
    request.kind === 'shipped'
      ? request.shipmentId
      : request.kind === 'refunded'
        ? request.refund?.reference
        : undefined;
  return part === undefined ? `${request.kind}:${request.orderId}` : `${request.kind}:${request.orderId}:${part}`;
}
