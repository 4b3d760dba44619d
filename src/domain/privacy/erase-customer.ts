import type { EntityManager } from '@mikro-orm/core';
import { writeAudit } from '../audit/audit-log.js';
import type { OperationContext } from '../context.js';
import { badInput } from '../errors.js';
import type { Customer } from '../orders/customer.entity.js';
import { OrderEvent } from '../orders/order-event.entity.js';
import { Order } from '../orders/order.entity.js';
import { OutboxEvent } from '../outbox/outbox-event.entity.js';
import { ReturnLine } from '../returns/return-line.entity.js';
import { ReturnRequest } from '../returns/return-request.entity.js';
import { inTransaction } from '../transaction.js';
import { anonymisedAddress, changed, piiValues, scrubJson, scrubText } from './pii-scrub.js';
import { privacySubject } from './privacy-subject.js';

export const MAX_ERASURE_REASON = 500;

/**
 * Erases a customer's personal data (GDPR art. 17) in one transaction, keeping the financial
 * record anonymised: the customer's name, email, phone and addresses are blanked and `erasedAt`
 * set; each of their orders loses its email and buyer's note and keeps only the country of its shipping and
 * billing addresses; timeline entries, hold reasons, return notes and undelivered or delivered
 * outbox payloads of those orders keep their facts (ids, amounts, statuses) with every known
 * personal value replaced. Orders, lines, totals and statuses are untouched. Erasing again
 * changes nothing more (only another audit row is written). The audit row carries counts and
 * the reason with the erased values removed from it.
 */
export async function eraseCustomer(ctx: OperationContext, customerId: string, reason: string): Promise<Customer> {
  const why = (reason ?? '').trim();
  if (!why) throw badInput('reason', 'is required: say why (e.g. the request reference)');
  if (why.length > MAX_ERASURE_REASON)
    throw badInput('reason', `must be at most ${MAX_ERASURE_REASON} characters`, { max: MAX_ERASURE_REASON });
  return inTransaction(ctx.em, async (tx) => {
    const customer = await privacySubject(ctx, tx, customerId, true);
    const alreadyErased = customer.erasedAt !== null && customer.erasedAt !== undefined;
    // Lock the orders first: a concurrent edit then waits, and fails on the version we move.
    await tx
      .getConnection()
      .execute(
        'select id from "order" where customer_id = ? for update',
        [customer.id],
        'all',
        tx.getTransactionContext(),
      );
    const orders = await tx.find(Order, { customer: customer.id });
    const values = piiValues({
      strings: [customer.email, customer.name, customer.phone, ...orders.flatMap((o) => [o.email, o.channelBuyer])],
      addresses: [...(customer.addresses ?? []), ...orders.flatMap((o) => [o.shippingAddress, o.billingAddress])],
    });

    customer.email = null;
    customer.name = null;
    customer.phone = null;
    customer.addresses = [];
    customer.erasedAt ??= new Date();
    const scrubbed = await eraseOrdersPersonalData(tx, orders, values);
    await tx.flush();
    await writeAudit(tx, ctx, {
      action: 'customer.erase',
      subjectType: 'customer',
      subjectId: customer.id,
      data: { reason: scrubText(why, values), orders: orders.length, alreadyErased, ...scrubbed },
    });
    return customer;
  });
}

/**
 * Blanks the personal data of these orders (locked by the caller, inside its transaction): email,
 * note and buyer account go, addresses keep only their country, and their timeline, returns and
 * outbox payloads lose every value in `values`. Totals, lines and statuses stay. Returns counts.
 */
export async function eraseOrdersPersonalData(tx: EntityManager, orders: Order[], values: readonly string[]) {
  for (const order of orders) {
    const address = anonymisedAddress(order.shippingAddress);
    const billing = anonymisedAddress(order.billingAddress);
    // One statement per order, the whole JSON value replaced; the version moves like any
    // other change, so an edit that read the order before the erasure fails with CONFLICT.
    await tx
      .getConnection()
      .execute(
        `update "order" set email = null, note = null, channel_buyer = null, shipping_address = ?::jsonb, billing_address = ?::jsonb, hold_reason = ?, version = version + 1, updated_at = now() where id = ?`,
        [
          address ? JSON.stringify(address) : null,
          billing ? JSON.stringify(billing) : null,
          scrubText(order.holdReason, values),
          order.id,
        ],
        'run',
        tx.getTransactionContext(),
      );
  }
  return scrubOrderRecords(
    tx,
    orders.map((o) => o.id),
    values,
  );
}

/** Removes the known values from what is kept about the orders; returns how many rows changed. */
async function scrubOrderRecords(tx: EntityManager, orderIds: string[], values: readonly string[]) {
  const counts = { timelineEntries: 0, returns: 0, outboxEvents: 0 };
  if (orderIds.length === 0) return counts;
  const events = await tx.find(OrderEvent, { order: { $in: orderIds } });
  for (const e of events) {
    const reason = scrubText(e.reason, values);
    const data = e.data ? (scrubJson(e.data, values) as Record<string, unknown>) : null;
    if (reason === (e.reason ?? null) && !changed(e.data ?? null, data)) continue;
    e.reason = reason;
    e.data = data;
    counts.timelineEntries++;
  }
  const returns = await tx.find(ReturnRequest, { order: { $in: orderIds } });
  for (const r of returns) {
    const reason = scrubText(r.reason, values);
    const note = scrubText(r.decisionNote, values);
    if (reason === (r.reason ?? null) && note === (r.decisionNote ?? null)) continue;
    r.reason = reason;
    r.decisionNote = note;
    counts.returns++;
  }
  const returnLines = await tx.find(ReturnLine, { returnRequest: { $in: returns.map((r) => r.id) } });
  for (const l of returnLines) {
    const reason = scrubText(l.reason, values);
    if (reason !== (l.reason ?? null)) l.reason = reason;
  }
  // Payloads of events about these orders, published or not: they are copies of the timeline.
  const outbox = await tx.find(OutboxEvent, { aggregateId: { $in: orderIds } });
  for (const o of outbox) {
    const payload = scrubJson(o.payload, values) as Record<string, unknown>;
    if (!changed(o.payload, payload)) continue;
    o.payload = payload;
    counts.outboxEvents++;
  }
  return counts;
}
