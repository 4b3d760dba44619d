import { randomUUID } from 'node:crypto';
import type { OperationContext } from '../../context.js';
import { badInput, notFound } from '../../errors.js';
import { ShipmentLine } from '../../fulfilment/shipment-line.entity.js';
import { Shipment } from '../../fulfilment/shipment.entity.js';
import { isUuid } from '../../ids.js';
import { Location } from '../../inventory/location.entity.js';
import type { OrderLine } from '../order-line.entity.js';
import type { OrderStatus } from '../order-status.js';
import { recordOrderEvent } from '../order-transitions.js';
import { checkLineQuantities, type LineQuantity } from './lifecycle-input.js';
import { changeOrder, claimOrder, requireStatus } from './order-change.js';
import { OrderStock } from './order-stock.js';
import { shipmentDetail, type ShipmentResult } from './shipment-detail.js';

export interface CreateShipmentInput {
  /** Units to ship; without it every allocated unit not yet in a shipment. */
  lines?: LineQuantity[] | null;
  /** Ship only from this location. */
  locationId?: string | null;
}

/** Shipments are made once stock is held: fully, partly (what is held of a backorder), or for the rest. */
export const SHIPPABLE_STATUSES: readonly OrderStatus[] = ['ALLOCATED', 'BACKORDERED', 'PARTIALLY_SHIPPED'];

/**
 * Creates shipments for allocated units no shipment holds yet. A shipment leaves one location,
 * so the units are grouped by the location holding their reservation: one shipment per location
 * (the location holding most of the requested units is used first, so a split is as small as the
 * reservations allow). `locationId` restricts it to one location. Nothing moves in stock yet: the
 * shipment claims held units until it is marked shipped.
 */
export async function createShipment(
  ctx: OperationContext,
  orderId: string,
  input: CreateShipmentInput = {},
): Promise<ShipmentResult> {
  return changeOrder(ctx, async (tx) => {
    const { order, lines } = await claimOrder(tx, ctx, orderId);
    requireStatus(order, SHIPPABLE_STATUSES, 'createShipment');
    let only: Location | null = null;
    if (input.locationId !== null && input.locationId !== undefined) {
      only = isUuid(input.locationId) ? await tx.findOne(Location, { id: input.locationId }) : null;
      if (!only) throw notFound('Location', input.locationId);
    }
    const stock = await OrderStock.load(tx, order, lines);
    const freeOf = (line: OrderLine) => {
      const free = stock.free(line.id);
      return only ? new Map([[only.id, free.get(only.id) ?? 0]]) : free;
    };
    const total = (line: OrderLine) => [...freeOf(line).values()].reduce((a, b) => a + b, 0);
    const at = only ? ` at ${only.code}` : '';
    const wanted = input.lines
      ? checkLineQuantities('lines', input.lines, lines, total, `units allocated${at} and in no shipment yet`)
      : lines.filter((l) => total(l) > 0).map((line) => ({ line, quantity: total(line) }));
    if (wanted.length === 0) {
      throw badInput('lines', `order ${order.number} has no allocated units${at} waiting for a shipment`, {
        available: 0,
      });
    }

    // Locations holding most of what is wanted go first: fewer parcels.
    const weight = new Map<string, number>();
    for (const { line } of wanted) for (const [loc, n] of freeOf(line)) weight.set(loc, (weight.get(loc) ?? 0) + n);
    const rank = [...weight.keys()].sort((a, b) => weight.get(b)! - weight.get(a)! || a.localeCompare(b));
    const byLocation = new Map<string, { line: OrderLine; quantity: number }[]>();
    for (const { line, quantity } of wanted) {
      let need = quantity;
      const free = freeOf(line);
      for (const loc of rank) {
        const n = Math.min(need, free.get(loc) ?? 0);
        if (n <= 0) continue;
        byLocation.set(loc, [...(byLocation.get(loc) ?? []), { line, quantity: n }]);
        need -= n;
        if (need === 0) break;
      }
    }

    const codes = new Map(
      (await tx.find(Location, { id: { $in: [...byLocation.keys()] } })).map((l) => [l.id, l.code]),
    );
    const created: Shipment[] = [];
    for (const [locationId, parts] of byLocation) {
      const shipment = tx.create(Shipment, {
        id: randomUUID(),
        order,
        locationId,
        status: 'created',
        carrier: null,
        service: null,
        trackingNumber: null,
        trackingUrl: null,
        shippedAt: null,
        deliveredAt: null,
        cancelledAt: null,
      });
      for (const { line, quantity } of parts) {
        stock.shipmentLines.push(
          tx.create(ShipmentLine, { id: randomUUID(), shipment, orderLineId: line.id, quantity }),
        );
      }
      stock.shipments.push(shipment);
      created.push(shipment);
      recordOrderEvent(
        tx,
        order,
        ctx.actor,
        'shipment_created',
        `shipment from ${codes.get(locationId) ?? locationId}: ${parts.map(({ line, quantity }) => `${quantity}× ${line.sku}`).join(', ')}`,
        {
          shipmentId: shipment.id,
          locationId,
          lines: parts.map(({ line, quantity }) => ({ lineId: line.id, sku: line.sku, quantity })),
        },
      );
    }
    await tx.flush();
    return { order, shipments: created.map((s) => shipmentDetail(stock, s, lines)) };
  });
}
