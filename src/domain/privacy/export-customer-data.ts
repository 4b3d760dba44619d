import type { EntityManager } from '@mikro-orm/core';
import { writeAudit } from '../audit/audit-log.js';
import type { OperationContext } from '../context.js';
import { Shipment } from '../fulfilment/shipment.entity.js';
import type { Customer } from '../orders/customer.entity.js';
import { OrderEvent } from '../orders/order-event.entity.js';
import { OrderLine } from '../orders/order-line.entity.js';
import { Order } from '../orders/order.entity.js';
import { ReturnLine } from '../returns/return-line.entity.js';
import { ReturnRequest } from '../returns/return-request.entity.js';
import { inTransaction } from '../transaction.js';
import { privacySubject } from './privacy-subject.js';

/** Version of the export's shape, so a consumer can tell layouts apart. */
export const CUSTOMER_EXPORT_FORMAT = 'switchyard.customer-export.v1';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * Everything held about one customer (GDPR art. 15/20): the customer row with addresses, their
 * orders with lines, shipping and billing addresses, timeline, shipments and returns, as plain JSON (dates as
 * ISO strings, money in minor units). The export is audited (one `customer.export` row, ids and
 * counts only) in the same transaction that reads the data.
 */
export async function exportCustomerData(ctx: OperationContext, customerId: string): Promise<Record<string, unknown>> {
  return inTransaction(ctx.em, async (tx) => {
    const customer = await privacySubject(ctx, tx, customerId);
    const data = await collect(tx, customer);
    await writeAudit(tx, ctx, {
      action: 'customer.export',
      subjectType: 'customer',
      subjectId: customer.id,
      data: { orders: data.orders.length },
    });
    return { format: CUSTOMER_EXPORT_FORMAT, exportedAt: new Date().toISOString(), ...data };
  });
}

async function collect(tx: EntityManager, customer: Customer) {
  const orders = await tx.find(Order, { customer: customer.id }, { orderBy: { placedAt: 'asc', id: 'asc' } });
  const orderIds = orders.map((o) => o.id);
  const [lines, events, shipments, returns] = await Promise.all([
    tx.find(OrderLine, { order: { $in: orderIds } }, { orderBy: { order: 'asc', position: 'asc' } }),
    tx.find(OrderEvent, { order: { $in: orderIds } }, { orderBy: { id: 'asc' } }),
    tx.find(Shipment, { order: { $in: orderIds } }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
    tx.find(ReturnRequest, { order: { $in: orderIds } }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
  ]);
  const returnLines = await tx.find(ReturnLine, { returnRequest: { $in: returns.map((r) => r.id) } });
  const of = <T>(items: T[], orderId: string, key: (item: T) => string) => items.filter((i) => key(i) === orderId);
  return {
    customer: {
      id: customer.id,
      email: customer.email ?? null,
      name: customer.name ?? null,
      phone: customer.phone ?? null,
      addresses: customer.addresses ?? [],
      createdAt: iso(customer.createdAt),
      erasedAt: iso(customer.erasedAt),
    },
    orders: orders.map((o) => ({
      id: o.id,
      number: o.number,
      channelId: o.channel.id,
      externalId: o.externalId,
      status: o.status,
      source: o.source,
      purchaseOrderNumber: o.purchaseOrderNumber ?? null,
      email: o.email ?? null,
      note: o.note ?? null,
      shippingAddress: o.shippingAddress ?? null,
      billingAddress: o.billingAddress ?? null,
      currency: o.currency,
      subtotalAmount: o.subtotalAmount,
      shippingAmount: o.shippingAmount,
      taxAmount: o.taxAmount,
      discountAmount: o.discountAmount,
      totalAmount: o.totalAmount,
      holdReason: o.holdReason ?? null,
      placedAt: iso(o.placedAt),
      updatedAt: iso(o.updatedAt),
      lines: of(lines, o.id, (l) => l.order.id).map((l) => ({
        id: l.id,
        position: l.position,
        sku: l.sku,
        title: l.title,
        quantity: l.quantity,
        unitPriceAmount: l.unitPriceAmount,
        lineTotalAmount: l.lineTotalAmount,
        quantityShipped: l.quantityShipped,
        quantityCancelled: l.quantityCancelled,
      })),
      timeline: of(events, o.id, (e) => e.order.id).map((e) => ({
        type: e.type,
        fromStatus: e.fromStatus ?? null,
        toStatus: e.toStatus ?? null,
        reason: e.reason ?? null,
        data: e.data ?? null,
        at: iso(e.createdAt),
      })),
      shipments: of(shipments, o.id, (s) => s.order.id).map((s) => ({
        id: s.id,
        status: s.status,
        carrier: s.carrier ?? null,
        trackingNumber: s.trackingNumber ?? null,
        shippedAt: iso(s.shippedAt),
        deliveredAt: iso(s.deliveredAt),
      })),
      returns: of(returns, o.id, (r) => r.order.id).map((r) => ({
        id: r.id,
        status: r.status,
        reason: r.reason ?? null,
        decisionNote: r.decisionNote ?? null,
        refundAmount: r.refundAmount,
        refundedAmount: r.refundedAmount ?? null,
        currency: r.currency,
        createdAt: iso(r.createdAt),
        lines: returnLines
          .filter((l) => l.returnRequest.id === r.id)
          .map((l) => ({ orderLineId: l.orderLineId, quantity: l.quantity, reason: l.reason ?? null })),
      })),
    })),
  };
}
