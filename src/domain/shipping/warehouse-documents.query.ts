import type { PostalAddress } from '../address.js';
import { scopedChannelId } from '../channels/channel-scope.js';
import type { OperationContext } from '../context.js';
import { badInput, notFound } from '../errors.js';
import { ShipmentLine } from '../fulfilment/shipment-line.entity.js';
import { Shipment } from '../fulfilment/shipment.entity.js';
import { isUuid } from '../ids.js';
import { Location } from '../inventory/location.entity.js';
import { OrderLine } from '../orders/order-line.entity.js';
import { labelsOfShipments } from './shipping-query.js';

/** Shipments on one printed document at most (a pick wave); more is refused, never cut silently. */
export const MAX_DOCUMENT_SHIPMENTS = 500;

export interface SlipLine {
  sku: string;
  title: string;
  quantity: number;
}

/** One parcel as the packing bench sees it: where it goes, what goes in, the label to stick on. */
export interface PackingSlip {
  shipmentId: string;
  status: string;
  orderId: string;
  orderNumber: string;
  channelId: string;
  placedAt: Date;
  shipTo: PostalAddress | null;
  lines: SlipLine[];
  label: { carrier: string | null; service: string | null; trackingCode: string | null; status: string } | null;
}

/** What to take from the shelves of one location, SKU by SKU, and which parcels each unit is for. */
export interface PickLine {
  sku: string;
  title: string;
  quantity: number;
  shipments: { shipmentId: string; orderNumber: string; quantity: number }[];
}

export interface WarehouseDocument {
  location: { id: string; code: string; name: string; address: PostalAddress };
  generatedAt: Date;
  slips: PackingSlip[];
  picks: PickLine[];
}

/** A location by id or by code (warehouse staff type codes: /warehouse/locations/DAL/pick-list). */
async function locationOf(ctx: OperationContext, idOrCode: string): Promise<Location> {
  const code = idOrCode.trim().toUpperCase();
  const location = isUuid(idOrCode)
    ? await ctx.em.findOne(Location, { id: idOrCode })
    : /^[A-Z0-9_-]{1,32}$/.test(code)
      ? await ctx.em.findOne(Location, { code })
      : null;
  if (!location) throw notFound('Location', idOrCode);
  return location;
}

/**
 * The parcels waiting at a location (CREATED shipments, oldest first; or the ones named, which
 * must be there and be CREATED), as packing slips and as a pick list that adds up each SKU over
 * them. A channel-scoped key sees its own channel's parcels only; a named shipment outside its
 * channel is NOT_FOUND, as an unknown one.
 */
export async function waitingAtLocation(
  ctx: OperationContext,
  locationIdOrCode: string,
  shipmentIds: readonly string[] = [],
): Promise<WarehouseDocument> {
  if (shipmentIds.length > MAX_DOCUMENT_SHIPMENTS)
    throw badInput('shipment', `at most ${MAX_DOCUMENT_SHIPMENTS} shipments per document`, {
      max: MAX_DOCUMENT_SHIPMENTS,
    });
  for (const id of shipmentIds) if (!isUuid(id)) throw notFound('Shipment', id);
  const location = await locationOf(ctx, locationIdOrCode);
  const scope = scopedChannelId(ctx.actor);
  const shipments = await ctx.em.find(
    Shipment,
    {
      locationId: location.id,
      status: 'created',
      ...(shipmentIds.length > 0 ? { id: { $in: [...shipmentIds] } } : {}),
      ...(scope === null ? {} : { order: { channel: scope } }),
    },
    { populate: ['order'], orderBy: { createdAt: 'asc', id: 'asc' }, limit: MAX_DOCUMENT_SHIPMENTS + 1 },
  );
  for (const id of shipmentIds)
    if (!shipments.some((s) => s.id === id))
      throw badInput('shipment', `shipment ${id} is not waiting at ${location.code} (or does not exist)`, {
        shipmentId: id,
      });
  if (shipments.length > MAX_DOCUMENT_SHIPMENTS)
    throw badInput(
      'shipment',
      `more than ${MAX_DOCUMENT_SHIPMENTS} parcels wait at ${location.code}: name the ones to print (?shipment=…)`,
      { max: MAX_DOCUMENT_SHIPMENTS },
    );
  const slips = await slipsOf(ctx, shipments);
  return { location: locationView(location), generatedAt: new Date(), slips, picks: picksOf(slips) };
}

/** One shipment's packing slip, whatever its status (a reprint); NOT_FOUND outside the key's channel. */
export async function packingSlipOf(
  ctx: OperationContext,
  shipmentId: string,
): Promise<{ location: WarehouseDocument['location']; slip: PackingSlip }> {
  const scope = scopedChannelId(ctx.actor);
  const shipment = isUuid(shipmentId)
    ? await ctx.em.findOne(
        Shipment,
        { id: shipmentId, ...(scope === null ? {} : { order: { channel: scope } }) },
        { populate: ['order'] },
      )
    : null;
  if (!shipment) throw notFound('Shipment', shipmentId);
  const location = await ctx.em.findOneOrFail(Location, { id: shipment.locationId });
  const [slip] = await slipsOf(ctx, [shipment]);
  return { location: locationView(location), slip: slip! };
}

const locationView = (l: Location) => ({ id: l.id, code: l.code, name: l.name, address: l.address });

async function slipsOf(ctx: OperationContext, shipments: Shipment[]): Promise<PackingSlip[]> {
  if (shipments.length === 0) return [];
  const ids = shipments.map((s) => s.id);
  const parts = await ctx.em.find(ShipmentLine, { shipment: { $in: ids } });
  const lines = new Map(
    (await ctx.em.find(OrderLine, { id: { $in: parts.map((p) => p.orderLineId) } })).map((l) => [l.id, l]),
  );
  const labels = await labelsOfShipments(ctx, ids);
  return shipments.map((s) => {
    const label = labels.get(s.id);
    return {
      shipmentId: s.id,
      status: s.status,
      orderId: s.order.id,
      orderNumber: s.order.number,
      channelId: s.order.channel.id,
      placedAt: s.order.placedAt,
      shipTo: s.order.shippingAddress ?? null,
      lines: parts
        .filter((p) => p.shipment.id === s.id)
        .map((p) => ({
          sku: lines.get(p.orderLineId)?.sku ?? '',
          title: lines.get(p.orderLineId)?.title ?? '',
          quantity: p.quantity,
        }))
        .sort((a, b) => a.sku.localeCompare(b.sku)),
      label:
        label && label.status !== 'voided'
          ? {
              carrier: label.carrier ?? null,
              service: label.service ?? null,
              trackingCode: label.trackingCode ?? null,
              status: label.status,
            }
          : null,
    };
  });
}

function picksOf(slips: PackingSlip[]): PickLine[] {
  const bySku = new Map<string, PickLine>();
  for (const slip of slips) {
    for (const line of slip.lines) {
      const pick = bySku.get(line.sku) ?? { sku: line.sku, title: line.title, quantity: 0, shipments: [] };
      pick.quantity += line.quantity;
      pick.shipments.push({ shipmentId: slip.shipmentId, orderNumber: slip.orderNumber, quantity: line.quantity });
      bySku.set(line.sku, pick);
    }
  }
  return [...bySku.values()].sort((a, b) => a.sku.localeCompare(b.sku));
}
