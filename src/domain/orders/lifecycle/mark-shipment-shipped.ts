import type { OperationContext } from '../../context.js';
import { badInput } from '../../errors.js';
import { transitionShipment } from '../../fulfilment/shipment-transitions.js';
import { recordOrderEvent } from '../order-transitions.js';
import { settleFulfilmentStatus } from './fulfilment-status.js';
import { optionalText, requiredText } from './lifecycle-input.js';
import { changeOrder, claimOrder, requireStatus } from './order-change.js';
import { orderIdOf } from './order-of.js';
import { captureShipped } from './order-payment.js';
import { OrderStock } from './order-stock.js';
import { shipmentDetail, type ShipmentDetail } from './shipment-detail.js';
import { SHIPPABLE_STATUSES } from './create-shipment.js';
import type { Order } from '../order.entity.js';

export interface MarkShipmentShippedInput {
  carrier: string;
  trackingNumber: string;
  trackingUrl?: string | null;
  service?: string | null;
}

function trackingUrlOf(value: string | null | undefined): string | null {
  const url = optionalText('trackingUrl', value, 500);
  if (url === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badInput('trackingUrl', 'must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw badInput('trackingUrl', 'must be an absolute http(s) URL');
  return url;
}

/**
 * The parcel has left: its reserved units are consumed (on hand and reserved both drop, a
 * `shipped` ledger row each), the lines count them shipped, and the order becomes
 * PARTIALLY_SHIPPED or, with every remaining unit gone, SHIPPED. Paid by card, the shipment's
 * share of the total is captured (the rest with the last one) by the payments job.
 */
export async function markShipmentShipped(
  ctx: OperationContext,
  shipmentId: string,
  input: MarkShipmentShippedInput,
): Promise<{ order: Order; shipment: ShipmentDetail }> {
  const carrier = requiredText('carrier', input.carrier, 64);
  const trackingNumber = requiredText('trackingNumber', input.trackingNumber, 100);
  const trackingUrl = trackingUrlOf(input.trackingUrl);
  const service = optionalText('service', input.service, 64);
  return changeOrder(ctx, async (tx) => {
    const { order, lines } = await claimOrder(tx, ctx, await orderIdOf(tx, ctx, 'Shipment', shipmentId));
    const stock = await OrderStock.load(tx, order, lines);
    const shipment = stock.shipments.find((s) => s.id === shipmentId)!;
    transitionShipment(shipment, 'shipped');
    requireStatus(order, SHIPPABLE_STATUSES, 'markShipmentShipped');
    Object.assign(shipment, { carrier, service, trackingNumber, trackingUrl, shippedAt: new Date() });
    stock.consume(shipment, lines);
    await stock.apply(ctx.actor.id);
    const detail = shipmentDetail(stock, shipment, lines);
    recordOrderEvent(tx, order, ctx.actor, 'shipment_shipped', `${carrier} ${trackingNumber}`, {
      shipmentId: shipment.id,
      locationId: shipment.locationId,
      carrier,
      service,
      trackingNumber,
      trackingUrl,
      lines: detail.lines,
    });
    settleFulfilmentStatus(tx, order, lines, ctx.actor, `shipment ${shipment.id} shipped with ${carrier}`);
    await captureShipped(tx, order, lines, shipment, detail.lines);
    await tx.flush();
    return { order, shipment: detail };
  });
}
