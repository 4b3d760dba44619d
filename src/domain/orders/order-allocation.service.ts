import type { EntityManager } from '@mikro-orm/core';
import { Channel } from '../channels/channel.entity.js';
import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { eligibleLocations } from '../inventory/allocation.service.js';
import { recordLevelChanged } from '../inventory/level-events.js';
import { Location } from '../inventory/location.entity.js';
import { Reservation } from '../inventory/reservation.entity.js';
import { readLevels, releaseStock, reserveStock } from '../inventory/stock-ledger.js';
import { availableOf } from '../inventory/stock-level.entity.js';
import { allocateOrderStock, openQuantity } from './allocate-order.js';
import { changeOrder, claimOrder, requireStatus } from './lifecycle/order-change.js';
import type { OrderLine } from './order-line.entity.js';
import type { OrderStatus } from './order-status.js';
import { recordOrderEvent, transitionOrder } from './order-transitions.js';
import type { Order } from './order.entity.js';

/** Statuses in which an order's stock may be (re)sourced: paid, nothing shipped yet. */
export const ALLOCATABLE_STATUSES: readonly OrderStatus[] = ['PAYMENT_AUTHORIZED', 'BACKORDERED', 'ALLOCATED'];

/** Where an order's stock stands after an allocation: what is held where, what still waits. */
export interface OrderAllocationView {
  order: Order;
  explanation: string;
  reservations: { lineId: string; sku: string; locationId: string; locationCode: string; quantity: number }[];
  open: { lineId: string; sku: string; quantity: number }[];
}

interface LockedOrder {
  order: Order;
  channel: Channel;
  lines: OrderLine[];
}

/**
 * Claims the order like every other order change (version check + row lock; another channel's
 * order is NOT_FOUND for a channel-scoped key) and checks it may be allocated.
 */
async function lockOrder(
  tx: EntityManager,
  ctx: OperationContext,
  orderId: string,
  operation: string,
): Promise<LockedOrder> {
  const { order, lines } = await claimOrder(tx, ctx, orderId);
  requireStatus(order, ALLOCATABLE_STATUSES, operation);
  const channel = await tx.findOneOrFail(Channel, { id: order.channel.id });
  return { order, channel, lines };
}

async function viewOf(
  tx: EntityManager,
  { order, lines }: LockedOrder,
  explanation: string,
): Promise<OrderAllocationView> {
  await tx.flush();
  type Row = { order_line_id: string; sku: string; location_id: string; code: string; quantity: number };
  const rows: Row[] = await tx.getConnection().execute<Row[]>(
    `select r.order_line_id, l.sku, r.location_id, loc.code, r.quantity
     from reservation r join order_line l on l.id = r.order_line_id join location loc on loc.id = r.location_id
     where l.order_id = ? and r.status = 'active'
     order by l.position, loc.code`,
    [order.id],
    'all',
    tx.getTransactionContext(),
  );
  return {
    order,
    explanation,
    reservations: rows.map((r) => ({
      lineId: r.order_line_id,
      sku: r.sku,
      locationId: r.location_id,
      locationCode: r.code,
      quantity: r.quantity,
    })),
    open: lines
      .filter((l) => openQuantity(l) > 0)
      .map((l) => ({ lineId: l.id, sku: l.sku, quantity: openQuantity(l) })),
  };
}

/**
 * Runs sourcing again for an order's open quantities (typically a BACKORDERED order after stock
 * changed, or one stuck before allocation). Reserves what the eligible locations have now, moves
 * the order to ALLOCATED once nothing is open, and puts the explanation on its timeline. An
 * order with nothing open is left as it is.
 */
export async function allocateOrder(ctx: OperationContext, orderId: string): Promise<OrderAllocationView> {
  return changeOrder(ctx, async (tx) => {
    const locked = await lockOrder(tx, ctx, orderId, 'allocateOrder');
    if (!locked.lines.some((l) => openQuantity(l) > 0)) {
      return viewOf(tx, locked, 'nothing to allocate: every line is allocated or cancelled');
    }
    const result = await allocateOrderStock(tx, ctx, locked.order, locked.lines, locked.channel, {
      trigger: 'allocation requested',
    });
    return viewOf(tx, locked, result.explanation);
  });
}

/**
 * Moves all of an order's stock to one location: releases its active reservations and reserves
 * every unshipped, uncancelled unit at `locationId` — in one transaction, so if that location
 * cannot cover everything the order fails with INSUFFICIENT_STOCK and nothing has changed.
 */
export async function reallocateOrder(
  ctx: OperationContext,
  orderId: string,
  locationId: string,
): Promise<OrderAllocationView> {
  return changeOrder(ctx, async (tx) => {
    const locked = await lockOrder(tx, ctx, orderId, 'reallocateOrder');
    const { order, channel, lines } = locked;
    // A shipment being prepared claims units where they are held: they cannot move under it.
    const pending: { code: string }[] = await tx
      .getConnection()
      .execute(
        `select distinct l.code from shipment s join location l on l.id = s.location_id where s.order_id = ? and s.status = 'created' order by l.code`,
        [order.id],
        'all',
        tx.getTransactionContext(),
      );
    if (pending.length > 0) {
      throw new DomainError(
        ErrorCode.CONFLICT,
        `Order ${order.number} has shipments being prepared at ${pending.map((p) => p.code).join(', ')}: ship or cancel them before moving its stock`,
        { orderId: order.id, locations: pending.map((p) => p.code) },
      );
    }
    const target = isUuid(locationId) ? await tx.findOne(Location, { id: locationId }) : null;
    if (!target) throw notFound('Location', locationId);
    if (!(await eligibleLocations(tx, channel.id)).some((c) => c.id === target.id)) {
      throw badInput(
        'locationId',
        `${target.code} does not ship for channel ${channel.id} (inactive, not shipping online, or not serving that channel)`,
      );
    }

    const byLine = new Map(lines.map((l) => [l.id, l]));
    const active = await tx.find(Reservation, { orderLineId: { $in: lines.map((l) => l.id) }, status: 'active' });
    const heldAt = [...new Set(active.map((r) => r.locationId))];
    const codes = new Map(
      (heldAt.length ? await tx.find(Location, { id: { $in: heldAt } }) : []).map((l) => [l.id, l.code]),
    );
    active.sort((a, b) => a.variantId.localeCompare(b.variantId) || a.locationId.localeCompare(b.locationId));
    const released: string[] = [];
    for (const r of active) {
      const level = await releaseStock(
        tx,
        r,
        r.quantity,
        order.id,
        ctx.actor.id,
        `reallocating order ${order.number} to ${target.code}`,
      );
      recordLevelChanged(tx, level, { reserved: -r.quantity });
      r.status = 'released';
      byLine.get(r.orderLineId)!.quantityAllocated -= r.quantity;
      released.push(`${r.quantity}× ${byLine.get(r.orderLineId)!.sku} at ${codes.get(r.locationId)}`);
    }

    const needs = lines.map((line) => ({ line, quantity: openQuantity(line) })).filter((n) => n.quantity > 0);
    needs.sort((a, b) => a.line.variant.id.localeCompare(b.line.variant.id));
    const short: { sku: string; quantity: number }[] = [];
    for (const { line, quantity } of needs) {
      const key = { variantId: line.variant.id, locationId: target.id };
      const level = await reserveStock(tx, key, quantity, order.id, ctx.actor.id);
      if (!level) {
        short.push({ sku: line.sku, quantity });
        continue;
      }
      recordLevelChanged(tx, level, { reserved: quantity });
      tx.create(Reservation, {
        orderLineId: line.id,
        variantId: key.variantId,
        locationId: target.id,
        quantity,
        status: 'active',
      });
      line.quantityAllocated += quantity;
    }
    if (short.length > 0) {
      // Throwing rolls the transaction back: the releases above never happened.
      const levels = await readLevels(tx, [...new Set(needs.map((n) => n.line.variant.id))]);
      const availableAt = (sku: string) => {
        const variantId = needs.find((n) => n.line.sku === sku)!.line.variant.id;
        const level = levels.find((l) => l.variantId === variantId && l.locationId === target.id);
        return level ? Math.max(0, availableOf(level)) : 0;
      };
      const shortfall = short.map((s) => ({ ...s, available: availableAt(s.sku) }));
      throw new DomainError(
        ErrorCode.INSUFFICIENT_STOCK,
        `${target.code} cannot take order ${order.number}: ${shortfall.map((s) => `needs ${s.quantity}× ${s.sku}, has ${s.available}`).join('; ')}. Nothing was changed`,
        { locationId: target.id, shortfall },
      );
    }

    const reserved = needs.map((n) => `${n.quantity}× ${n.line.sku}`).join(', ');
    released.sort();
    const explanation = `moved to ${target.code} on request${released.length ? `: released ${released.join(', ')}` : ''}${reserved ? `; reserved ${reserved} at ${target.code}` : ''}`;
    recordOrderEvent(tx, order, ctx.actor, 'reallocated', explanation, {
      locationId: target.id,
      released: active.map((r) => ({ lineId: r.orderLineId, locationId: r.locationId, quantity: r.quantity })),
      reservations: needs.map((n) => ({ lineId: n.line.id, locationId: target.id, quantity: n.quantity })),
    });
    if (order.status !== 'ALLOCATED') transitionOrder(tx, order, 'ALLOCATED', ctx.actor, explanation);
    return viewOf(tx, locked, explanation);
  });
}
