import { randomBytes } from 'node:crypto';
import type { OperationContext } from '../../domain/context.js';
import { createShipment } from '../../domain/orders/lifecycle/create-shipment.js';
import { markShipmentShipped } from '../../domain/orders/lifecycle/mark-shipment-shipped.js';

/**
 * The sandbox's demo fulfiller for one allocated order: a shipment per location, each marked
 * shipped with a made-up tracking number (`SBX…`), through the operations a warehouse would use.
 */
export async function shipWithDemoTracking(
  ctx: OperationContext,
  orderId: string,
  carrier: string,
): Promise<{ locationId: string; trackingNumber: string }[]> {
  const { shipments } = await createShipment(ctx, orderId);
  const shipped: { locationId: string; trackingNumber: string }[] = [];
  for (const { shipment } of shipments) {
    const trackingNumber = `SBX${randomBytes(5).toString('hex').toUpperCase()}`;
    await markShipmentShipped(ctx, shipment.id, {
      carrier,
      trackingNumber,
      trackingUrl: `https://tracking.example.com/${trackingNumber}`,
    });
    shipped.push({ locationId: shipment.locationId, trackingNumber });
  }
  return shipped;
}
