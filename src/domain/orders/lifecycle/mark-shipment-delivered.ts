import type { OperationContext } from '../../context.js';
import { transitionShipment } from '../../fulfilment/shipment-transitions.js';
import { recordOrderEvent, transitionOrder } from '../order-transitions.js';
import type { Order } from '../order.entity.js';
import { changeOrder, claimOrder } from './order-change.js';
import { orderIdOf } from './order-of.js';
import { OrderStock } from './order-stock.js';
import { shipmentDetail, type ShipmentDetail } from './shipment-detail.js';

/**
 * The carrier delivered a parcel. When the order is SHIPPED (nothing left to send) and every
 * parcel it sent has arrived, the order becomes DELIVERED.
 */
export async function markShipmentDelivered(
  ctx: OperationContext,
  shipmentId: string,
): Promise<{ order: Order; shipment: ShipmentDetail }> {
  return changeOrder(ctx, async (tx) => {
    const { order, lines } = await claimOrder(tx, ctx, await orderIdOf(tx, ctx, 'Shipment', shipmentId));
    const stock = await OrderStock.load(tx, order, lines);
    const shipment = stock.shipments.find((s) => s.id === shipmentId)!;
    transitionShipment(shipment, 'delivered');
    shipment.deliveredAt = new Date();
    recordOrderEvent(
      tx,
      order,
      ctx.actor,
      'shipment_delivered',
      `${shipment.carrier ?? 'carrier'} ${shipment.trackingNumber ?? ''} delivered`.trim(),
      {
        shipmentId: shipment.id,
        trackingNumber: shipment.trackingNumber,
      },
    );
    const sent = stock.shipments.filter((s) => s.status !== 'cancelled' && s.status !== 'created');
    if (order.status === 'SHIPPED' && sent.every((s) => s.status === 'delivered')) {
      transitionOrder(
        tx,
        order,
        'DELIVERED',
        ctx.actor,
        `all ${sent.length} shipment${sent.length === 1 ? '' : 's'} delivered`,
      );
    }
    await tx.flush();
    return { order, shipment: shipmentDetail(stock, shipment, lines) };
  });
}
