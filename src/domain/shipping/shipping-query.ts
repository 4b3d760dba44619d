import type { OperationContext } from '../context.js';
import { ShippingLabel } from './shipping-label.entity.js';
import { TrackingEvent } from './tracking-event.entity.js';

/**
 * The label each shipment shows: its live one (at most one is not voided), else its latest
 * (a voided label stays visible until another is bought). One query for a list of shipments.
 */
export async function labelsOfShipments(
  ctx: OperationContext,
  shipmentIds: readonly string[],
): Promise<Map<string, ShippingLabel>> {
  const rows = await ctx.em.find(
    ShippingLabel,
    { shipment: { $in: [...shipmentIds] } },
    { orderBy: { requestedAt: 'asc', id: 'asc' } },
  );
  const out = new Map<string, ShippingLabel>();
  for (const label of rows) {
    const held = out.get(label.shipment.id);
    if (!held || held.status === 'voided') out.set(label.shipment.id, label);
  }
  return out;
}

/** Every scan carriers reported for each shipment, oldest first. One query for a list of shipments. */
export async function trackingEventsOfShipments(
  ctx: OperationContext,
  shipmentIds: readonly string[],
): Promise<Map<string, TrackingEvent[]>> {
  const rows = await ctx.em.find(
    TrackingEvent,
    { shipmentId: { $in: [...shipmentIds] } },
    { orderBy: { occurredAt: 'asc', id: 'asc' } },
  );
  const out = new Map<string, TrackingEvent[]>();
  for (const e of rows) out.set(e.shipmentId, [...(out.get(e.shipmentId) ?? []), e]);
  return out;
}
