import type { Shipment } from '../../fulfilment/shipment.entity.js';
import type { OrderLine } from '../order-line.entity.js';
import type { Order } from '../order.entity.js';
import type { OrderStock } from './order-stock.js';

/** A shipment with its lines as callers see them (SKU included). */
export interface ShipmentDetail {
  shipment: Shipment;
  lines: { orderLineId: string; sku: string; quantity: number }[];
}

export interface ShipmentResult {
  order: Order;
  shipments: ShipmentDetail[];
}

export function shipmentDetail(stock: OrderStock, shipment: Shipment, lines: OrderLine[]): ShipmentDetail {
  return {
    shipment,
    lines: stock.linesOf(shipment).map((sl) => ({
      orderLineId: sl.orderLineId,
      sku: lines.find((l) => l.id === sl.orderLineId)?.sku ?? '',
      quantity: sl.quantity,
    })),
  };
}
