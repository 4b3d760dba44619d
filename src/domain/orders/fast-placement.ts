import type { EntityManager } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { availabilityKey, destinationOf, planSourcing } from '../inventory/sourcing.js';
import { availableOf } from '../inventory/stock-level.entity.js';
import { holdReasons } from './hold-rules.js';
import { checkChannel, priceOrder } from './order-pricing.js';
import { Order, VERSION_AFTER_PLACEMENT } from './order.entity.js';
import type { PlaceOrderDeps } from './place-order.service.js';
import type { ValidPlaceOrderInput } from './place-order.input.js';
import type { PlacementSnapshot } from './placement-snapshot.js';
import { PlacementTimeline } from './placement-timeline.js';
import { reservationRows, STOCK_TAKEN, writePlacement, type PlacementRows } from './placement-write.js';

/**
 * The common case of placing an order — valid, no hold rule applies, and the stock snapshot
 * covers every line — planned in memory and written in one statement (placement-write.ts).
 * Returns null whenever the general path must decide instead: a hold, a shortfall (the
 * channel's backorder policy), a race for stock or for a key. The general path then runs from
 * scratch, so this one only ever adds speed, never a different outcome: the outcomes (rows,
 * timeline, outbox messages) are the ones the general path writes for the same order.
 *
 * Validation errors are thrown here exactly as the general path throws them (shared checks).
 */
export async function tryFastPlacement(
  em: EntityManager,
  actor: Principal,
  deps: PlaceOrderDeps,
  valid: ValidPlaceOrderInput,
  snapshot: PlacementSnapshot,
  orderId: string,
  fingerprint: string | null,
): Promise<Order | null> {
  const channel = snapshot.channel;
  checkChannel(channel, valid);
  const bySku = new Map(snapshot.variants.map((v) => [v.sku, v]));
  const { subtotal, total } = priceOrder(valid, bySku);
  const holds = holdReasons(
    { total, currency: valid.currency, shippingAddress: valid.shippingAddress, billingAddress: valid.billingAddress },
    deps.policy,
  );
  if (holds.length > 0) return null;
  const number = channel.kind === 'direct' ? snapshot.orderNumber : valid.externalId;
  if (!number) return null;

  const lines = valid.lines.map((l, position) => {
    const v = bySku.get(l.sku)!;
    return { id: randomUUID(), position, variant: v, quantity: l.quantity };
  });
  const eligible = new Set(snapshot.locations.map((l) => l.id));
  const available = new Map(
    snapshot.levels
      .filter((l) => eligible.has(l.locationId))
      .map((l) => [availabilityKey(l.variantId, l.locationId), availableOf(l)]),
  );
  const address = valid.shippingAddress;
  const plan = planSourcing(
    lines.map((l) => ({ lineId: l.id, variantId: l.variant.id, sku: l.variant.sku, quantity: l.quantity })),
    snapshot.locations,
    available,
    destinationOf(address),
  );
  if (plan.shortfall.length > 0) return null;

  const payment = await deps.payments.authorize({
    orderId,
    amount: total,
    currency: valid.currency,
    idempotencyKey: `order-${orderId}-authorize`,
  });

  // The timeline and messages of PENDING → CONFIRMED → PAYMENT_AUTHORIZED → ALLOCATED, in the
  // order the general path records them (stock messages fall between authorisation and sourcing).
  const at = new Date().toISOString();
  const ref = { id: orderId, number, channelId: channel.id };
  const source = channel.kind === 'direct' ? valid.source : 'marketplace';
  const timeline = new PlacementTimeline(ref, actor, at);
  timeline.record('before', 'placed', `placed on ${channel.id} (${source})`, {
    total,
    currency: valid.currency,
    lines: lines.length,
  });
  timeline.record('before', 'status_changed', 'valid: known SKUs, quantities, address and totals', null, {
    from: 'PENDING',
    to: 'CONFIRMED',
  });
  timeline.record(
    'before',
    'status_changed',
    `${payment.provider} authorised ${payment.amount} ${payment.currency}`,
    { provider: payment.provider, reference: payment.reference },
    { from: 'CONFIRMED', to: 'PAYMENT_AUTHORIZED' },
  );
  const reservations = timeline.recordFullAllocation(plan);

  const customerInput = valid.customer;
  const known = customerInput?.email ? snapshot.customer : null;
  const customerId = customerInput ? (known?.id ?? randomUUID()) : null;
  const rows: PlacementRows = {
    at,
    actor: actor.id,
    customer: {
      mode: !customerInput ? 'none' : known ? 'update' : 'insert',
      id: customerId,
      email: customerInput?.email ?? null,
      name: customerInput?.name ?? null,
      phone: customerInput?.phone ?? null,
    },
    order: {
      id: orderId,
      number,
      channel_id: channel.id,
      external_id: valid.externalId ?? number,
      status: 'ALLOCATED',
      source,
      purchase_order_number: valid.purchaseOrderNumber,
      payment_terms: valid.paymentTerms,
      customer_id: customerId,
      email: customerInput?.email ?? null,
      shipping_address: valid.shippingAddress,
      billing_address: valid.billingAddress ?? null,
      currency: valid.currency,
      subtotal_amount: subtotal,
      shipping_amount: valid.shippingAmount,
      tax_amount: valid.taxAmount,
      discount_amount: valid.discountAmount,
      total_amount: total,
      hold_reason: null,
      idempotency_key: valid.idempotencyKey,
      idempotency_fingerprint: fingerprint,
      version: VERSION_AFTER_PLACEMENT,
      placed_at: at,
      created_at: at,
      updated_at: at,
    },
    lines: lines.map((l) => ({
      id: l.id,
      order_id: orderId,
      position: l.position,
      variant_id: l.variant.id,
      sku: l.variant.sku,
      title: l.variant.title,
      quantity: l.quantity,
      unit_price_amount: l.variant.priceAmount,
      line_total_amount: l.variant.priceAmount * l.quantity,
      quantity_allocated: l.quantity,
      quantity_shipped: 0,
      quantity_cancelled: 0,
    })),
    reservations: reservationRows(reservations, at),
    events: timeline.events,
    outboxBefore: timeline.outboxBefore,
    outboxAfter: timeline.outboxAfter,
  };

  try {
    const row = await writePlacement(em, rows);
    return em.fork().map(Order, row);
  } catch (error) {
    if (isRaceLost(error)) return null;
    throw error;
  }
}

/**
 * Errors after which the general path decides: stock taken meanwhile (SYR01), a key or a new
 * customer's email taken meanwhile (unique violation), a variant or level gone (foreign key), or
 * a deadlock/serialisation victim. The general path meets the same state and answers for it.
 */
export function isRaceLost(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  return code === STOCK_TAKEN || code === '23505' || code === '23503' || code === '40P01' || code === '40001';
}
