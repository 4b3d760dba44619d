import type { EntityManager } from '@mikro-orm/core';
import { minorToDecimal } from '../money-decimal.js';
import type { NotificationRequest } from './notification-kinds.js';

/** What a template may use (every value is plain text; the renderer escapes it for HTML). */
export interface NotificationView {
  store: { name: string };
  order: {
    number: string;
    /** The channel's own name for the order ("#1001") when it has one, else the hub's number. */
    name: string;
    status: string;
    total: string;
    currency: string;
    lines: { title: string; sku: string; quantity: number }[];
  };
  customer: { name: string | null; email: string };
  shipment?: {
    carrier: string | null;
    service: string | null;
    trackingNumber: string | null;
    trackingUrl: string | null;
    lines: { title: string; sku: string; quantity: number }[];
  };
  refund?: { amount: string; currency: string };
}

export type NotificationContent =
  { send: true; recipient: string; view: NotificationView } | { send: false; reason: string };

interface LineRow {
  title: string;
  sku: string;
  quantity: number;
}

interface OrderRow {
  number: string;
  external_name: string | null;
  status: string;
  total_amount: string | number;
  currency: string;
  email: string | null;
  customer_email: string | null;
  customer_name: string | null;
  notify_customers: boolean;
  channel_id: string;
}

/**
 * Reads what one notification says, or why none is sent: the channel does not notify its
 * customers (marketplaces send their own), or the order has no email address (erased, or never
 * given). Plain reads; nothing is written.
 */
export async function notificationContent(
  em: EntityManager,
  request: NotificationRequest,
  storeName: string,
): Promise<NotificationContent> {
  const connection = em.getConnection();
  const [order] = await connection.execute<OrderRow[]>(
    `select o.number, o.external_name, o.status, o.total_amount, o.currency, o.email, c.email as customer_email,
            c.name as customer_name, ch.notify_customers, ch.id as channel_id
       from "order" o join channel ch on ch.id = o.channel_id left join customer c on c.id = o.customer_id
      where o.id = ?`,
    [request.orderId],
  );
  if (!order) return { send: false, reason: 'order not found' };
  if (!order.notify_customers)
    return { send: false, reason: `channel ${order.channel_id} does not notify its customers` };
  const email = order.email ?? order.customer_email;
  if (!email) return { send: false, reason: 'the order has no email address' };
  const lines: LineRow[] = await connection.execute<LineRow[]>(
    `select title, sku, quantity from order_line where order_id = ? order by position`,
    [request.orderId],
  );
  const view: NotificationView = {
    store: { name: storeName },
    order: {
      number: order.number,
      name: order.external_name ?? order.number,
      status: order.status,
      total: minorToDecimal(Number(order.total_amount), order.currency),
      currency: order.currency,
      lines: lines.map((l) => ({ title: l.title, sku: l.sku, quantity: Number(l.quantity) })),
    },
    customer: { name: order.customer_name, email },
  };
  if (request.kind === 'shipped' && request.shipmentId) {
    const [shipment] = await connection.execute<
      { carrier: string | null; service: string | null; tracking_number: string | null; tracking_url: string | null }[]
    >(`select carrier, service, tracking_number, tracking_url from shipment where id = ? and order_id = ?`, [
      request.shipmentId,
      request.orderId,
    ]);
    if (!shipment) return { send: false, reason: `shipment ${request.shipmentId} not found` };
    const shipped: LineRow[] = await connection.execute<LineRow[]>(
      `select ol.title, ol.sku, sl.quantity from shipment_line sl join order_line ol on ol.id = sl.order_line_id
        where sl.shipment_id = ? order by ol.position`,
      [request.shipmentId],
    );
    view.shipment = {
      carrier: shipment.carrier,
      service: shipment.service,
      trackingNumber: shipment.tracking_number,
      trackingUrl: shipment.tracking_url,
      lines: shipped.map((l) => ({ title: l.title, sku: l.sku, quantity: Number(l.quantity) })),
    };
  }
  if (request.kind === 'refunded' && request.refund) {
    view.refund = {
      amount: minorToDecimal(request.refund.amount, request.refund.currency),
      currency: request.refund.currency,
    };
  }
  return { send: true, recipient: email, view };
}
