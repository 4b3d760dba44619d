import { defineEntity, p } from '@mikro-orm/core';

/**
 * One scan a carrier reported for a shipment's label (`in_transit` at ORLANDO FL). Carriers
 * resend the whole history with every update; each scan is stored once.
 */
export const TrackingEventSchema = defineEntity({
  name: 'TrackingEvent',
  tableName: 'shipment_tracking_event',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    shipmentId: p.uuid(),
    labelId: p.uuid(),
    status: p.string().length(32),
    statusDetail: p.string().length(64).nullable(),
    message: p.string().length(500).nullable(),
    occurredAt: p.datetime(),
    city: p.string().length(100).nullable(),
    region: p.string().length(100).nullable(),
    postalCode: p.string().length(20).nullable(),
    countryCode: p.string().length(2).nullable(),
    recordedAt: p.datetime().onCreate(() => new Date()),
  },
});
export class TrackingEvent extends TrackingEventSchema.class {}
TrackingEventSchema.setClass(TrackingEvent);
