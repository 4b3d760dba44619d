import type { EntityManager } from '@mikro-orm/core';
import type { PostalAddress } from '../address.js';
import { Variant } from '../catalog/variant.entity.js';
import { DomainError, ErrorCode } from '../errors.js';
import { ShipmentLine } from '../fulfilment/shipment-line.entity.js';
import type { Shipment } from '../fulfilment/shipment.entity.js';
import { Location } from '../inventory/location.entity.js';
import { OrderLine } from '../orders/order-line.entity.js';
import type { Order } from '../orders/order.entity.js';
import type { Parcel } from './carrier.js';
import { parcelOf } from './parcel.js';

/** What a carrier needs to quote a shipment: where from, where to, and the parcel. */
export interface LabelParts {
  from: PostalAddress;
  to: PostalAddress;
  parcel: Parcel;
  locationCode: string;
}

/**
 * Reads a shipment's addresses and parcel as they are now: the location's address (its name as
 * the sender when the address names none), the order's shipping address, and the parcel from the
 * variants of the units it carries (those that need shipping). Refuses, naming what to fix, a
 * shipment that cannot be quoted: no shipping address (never given, or erased), units without a
 * weight, nothing that needs shipping.
 */
export async function labelPartsOf(em: EntityManager, order: Order, shipment: Shipment): Promise<LabelParts> {
  const to = order.shippingAddress ?? null;
  if (!to)
    throw new DomainError(
      ErrorCode.BAD_USER_INPUT,
      `Order ${order.number} has no shipping address to send a label to`,
      {
        field: 'shippingAddress',
        orderId: order.id,
      },
    );
  const location = await em.findOneOrFail(Location, { id: shipment.locationId });
  const parts = await em.find(ShipmentLine, { shipment: shipment.id });
  const lines = await em.find(OrderLine, { id: { $in: parts.map((p) => p.orderLineId) } });
  const skuOf = new Map(lines.map((l) => [l.id, l.sku]));
  const variants = new Map(
    (await em.find(Variant, { sku: { $in: [...new Set(lines.map((l) => l.sku))] } })).map((v) => [v.sku, v]),
  );
  const items = parts.flatMap((p) => {
    const sku = skuOf.get(p.orderLineId) ?? '';
    const v = variants.get(sku);
    if (v && !v.requiresShipping) return [];
    return [
      {
        sku,
        quantity: p.quantity,
        weightGrams: v?.weightGrams ?? null,
        lengthMm: v?.lengthMm ?? null,
        widthMm: v?.widthMm ?? null,
        heightMm: v?.heightMm ?? null,
      },
    ];
  });
  if (items.length === 0)
    throw new DomainError(ErrorCode.BAD_USER_INPUT, `Shipment ${shipment.id} carries nothing that needs shipping`, {
      field: 'shipmentId',
      shipmentId: shipment.id,
    });
  return {
    from: {
      ...location.address,
      name: location.address.name ?? null,
      company: location.address.company ?? location.name,
    },
    to,
    parcel: parcelOf(items),
    locationCode: location.code,
  };
}
