import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Shipment } from '../fulfilment/shipment.entity.js';
import type { RateQuote } from './carrier.js';
import { LABEL_STATUSES } from './label-status.js';

/**
 * A carrier label for one shipment. The row (with our idempotency key) is written before the
 * carrier is called, so a purchase retried after a crash or a lost answer finds the carrier's
 * shipment it already made and buys nothing twice. At most one label per shipment is not voided.
 */
export const ShippingLabelSchema = defineEntity({
  name: 'ShippingLabel',
  tableName: 'shipping_label',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    shipment: () => p.manyToOne(Shipment),
    /** The carrier integration (`easypost`). */
    provider: p.string().length(32),
    /** Ours, stable across retries: `shipment-<id>-label-<n>`; sent as the carrier shipment's reference. */
    idempotencyKey: p.string().length(100).unique(),
    status: p.enum([...LABEL_STATUSES]),
    /** The rate-shopping rule as text: CHEAPEST, FASTEST, CHEAPEST_WITHIN_DAYS(3). */
    rule: p.string().length(40),
    /** The carrier's shipment (`shp_…`), stored as soon as it exists: the purchase's point of truth. */
    providerShipmentId: p.string().length(64).nullable(),
    /** Every rate the carrier offered when the rule chose. */
    rates: p.json<RateQuote[]>().default([]),
    rateId: p.string().length(64).nullable(),
    chosenBecause: p.string().length(1000).nullable(),
    carrier: p.string().length(64).nullable(),
    service: p.string().length(64).nullable(),
    costAmount: p.bigint('number').nullable(),
    currency: p.string().length(3).nullable(),
    trackingCode: p.string().length(100).nullable(),
    trackingUrl: p.string().length(500).nullable(),
    labelUrl: p.string().length(1000).nullable(),
    trackerId: p.string().length(64).nullable(),
    /** The carrier's latest tracking status (`in_transit`) and when the carrier last changed it. */
    trackingStatus: p.string().length(32).nullable(),
    trackingUpdatedAt: p.datetime().nullable(),
    lastError: p.string().length(1000).nullable(),
    requestedAt: p.datetime().onCreate(() => new Date()),
    purchasedAt: p.datetime().nullable(),
    voidedAt: p.datetime().nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class ShippingLabel extends ShippingLabelSchema.class {}
ShippingLabelSchema.setClass(ShippingLabel);
