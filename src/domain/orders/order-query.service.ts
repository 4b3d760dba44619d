import { DIRECT_CHANNEL_ID } from '../channels/channel.entity.js';
import { ShipmentLine } from '../fulfilment/shipment-line.entity.js';
import { Shipment } from '../fulfilment/shipment.entity.js';
import { ReturnLine } from '../returns/return-line.entity.js';
import { ReturnRequest } from '../returns/return-request.entity.js';
import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { OrderEvent } from './order-event.entity.js';
import { OrderLine } from './order-line.entity.js';
import { channelFilterFor, scopedChannelId } from '../channels/channel-scope.js';
import { Order } from './order.entity.js';

/** One order by id; another channel's order is NOT_FOUND for a channel-scoped key. */
export async function orderById(ctx: OperationContext, id: string): Promise<Order> {
  const scope = scopedChannelId(ctx.actor);
  const order = isUuid(id) ? await ctx.em.findOne(Order, scope === null ? { id } : { id, channel: scope }) : null;
  if (!order) throw notFound('Order', id);
  return order;
}

/**
 * One order by its number. Numbers are unique per channel only: with no channel given (and no
 * channel scope) the direct channel's SY-… order wins, then the one channel that has it; when
 * several other channels share the number, the caller must say which.
 */
export async function orderByNumber(ctx: OperationContext, number: string, channelId?: string | null): Promise<Order> {
  const wanted = number.trim();
  if (!wanted || wanted.length > 64) throw notFound('Order', number);
  let channel: string | null;
  try {
    channel = channelFilterFor(ctx.actor, channelId);
  } catch (error) {
    // Another channel's number is simply not found for a scoped key: no hint it exists.
    if (error instanceof DomainError && error.code === ErrorCode.FORBIDDEN) throw notFound('Order', wanted);
    throw error;
  }
  if (channel !== null) {
    const order = await ctx.em.findOne(Order, { number: wanted, channel });
    if (!order) throw notFound('Order', wanted);
    return order;
  }
  const candidates = await ctx.em.find(
    Order,
    { number: wanted },
    { orderBy: { createdAt: 'asc', id: 'asc' }, limit: 20 },
  );
  const direct = candidates.find((o) => o.channel.id === DIRECT_CHANNEL_ID);
  if (direct) return direct;
  const [only, ...others] = candidates;
  if (!only) throw notFound('Order', wanted);
  if (others.length > 0) {
    const channels = candidates.map((o) => o.channel.id);
    throw badInput('channelId', `order number ${wanted} exists on channels ${channels.join(', ')}: pass channelId`, {
      channels,
    });
  }
  return only;
}

/** Lines of many orders in one query (by position), for batching. Callers pass visible orders only. */
export async function linesOfOrders(
  ctx: OperationContext,
  orderIds: readonly string[],
): Promise<Map<string, OrderLine[]>> {
  const lines = await ctx.em.find(
    OrderLine,
    { order: { $in: [...orderIds] } },
    { orderBy: { order: 'asc', position: 'asc' } },
  );
  return groupBy(orderIds, lines, (l) => l.order.id);
}

/** Timelines of many orders in one query, oldest entry first. Callers pass visible orders only. */
export async function eventsOfOrders(
  ctx: OperationContext,
  orderIds: readonly string[],
): Promise<Map<string, OrderEvent[]>> {
  const events = await ctx.em.find(
    OrderEvent,
    { order: { $in: [...orderIds] } },
    { orderBy: { order: 'asc', id: 'asc' } },
  );
  return groupBy(orderIds, events, (e) => e.order.id);
}

/** Shipments of many orders with their lines, oldest shipment first: two queries (one when none). */
export async function shipmentsOfOrders(
  ctx: OperationContext,
  orderIds: readonly string[],
): Promise<Map<string, { shipment: Shipment; lines: ShipmentLine[] }[]>> {
  const shipments = await ctx.em.find(
    Shipment,
    { order: { $in: [...orderIds] } },
    { orderBy: { order: 'asc', createdAt: 'asc', id: 'asc' } },
  );
  const lines =
    shipments.length === 0
      ? []
      : await ctx.em.find(ShipmentLine, { shipment: { $in: shipments.map((s) => s.id) } }, { orderBy: { id: 'asc' } });
  const linesOf = groupBy(
    shipments.map((s) => s.id),
    lines,
    (l) => l.shipment.id,
  );
  return groupBy(
    orderIds,
    shipments.map((shipment) => ({ shipment, lines: linesOf.get(shipment.id) ?? [] })),
    (s) => s.shipment.order.id,
  );
}

/** Returns of many orders with their lines, oldest first: two queries (one when none). */
export async function returnsOfOrders(
  ctx: OperationContext,
  orderIds: readonly string[],
): Promise<Map<string, { returnRequest: ReturnRequest; lines: ReturnLine[] }[]>> {
  const returns = await ctx.em.find(
    ReturnRequest,
    { order: { $in: [...orderIds] } },
    { orderBy: { order: 'asc', createdAt: 'asc', id: 'asc' } },
  );
  const lines =
    returns.length === 0
      ? []
      : await ctx.em.find(ReturnLine, { returnRequest: { $in: returns.map((r) => r.id) } }, { orderBy: { id: 'asc' } });
  const linesOf = groupBy(
    returns.map((r) => r.id),
    lines,
    (l) => l.returnRequest.id,
  );
  return groupBy(
    orderIds,
    returns.map((returnRequest) => ({ returnRequest, lines: linesOf.get(returnRequest.id) ?? [] })),
    (r) => r.returnRequest.order.id,
  );
}

function groupBy<T>(keys: readonly string[], items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const item of items) out.get(keyOf(item))?.push(item);
  return out;
}
