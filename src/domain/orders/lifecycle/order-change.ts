import { OptimisticLockError, type EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../../context.js';
import { DomainError, ErrorCode, notFound } from '../../errors.js';
import { isUuid } from '../../ids.js';
import { inTransaction } from '../../transaction.js';
import { OrderLine } from '../order-line.entity.js';
import { scopedChannelId } from '../../channels/channel-scope.js';
import type { OrderStatus } from '../order-status.js';
import { Order } from '../order.entity.js';

/** An order claimed for one change, with its lines (by position), read after the claim. */
export interface ClaimedOrder {
  order: Order;
  lines: OrderLine[];
  /** The version the change started from: stable across retries, so it keys payment calls. */
  version: number;
}

function conflict(order: Order, detail: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError(ErrorCode.CONFLICT, `Order ${order.number} ${detail}; reload it and try again`, {
    orderId: order.id,
    ...details,
  });
}

/**
 * Claims an order for a change in the caller's transaction: `select … where version = ? for
 * update` on the version just read. Of two concurrent changes, the second waits for the first
 * to commit, finds the version moved and fails with CONFLICT, never overwriting what the first
 * wrote. The claim also serialises everything else this change does to the order's lines,
 * reservations, shipments and returns. `expectedVersion`, when the caller sends one, must be the
 * current version. Another channel's order is NOT_FOUND for a channel-scoped key.
 */
export async function claimOrder(
  tx: EntityManager,
  ctx: OperationContext,
  orderId: string,
  expectedVersion?: number | null,
): Promise<ClaimedOrder> {
  const scope = scopedChannelId(ctx.actor);
  const order = isUuid(orderId)
    ? await tx.findOne(Order, scope === null ? { id: orderId } : { id: orderId, channel: scope })
    : null;
  if (!order) throw notFound('Order', orderId);
  if (expectedVersion !== null && expectedVersion !== undefined && expectedVersion !== order.version) {
    throw conflict(order, `is at version ${order.version}, not ${expectedVersion}`, {
      expectedVersion,
      currentVersion: order.version,
    });
  }
  const held = await tx
    .getConnection()
    .execute(
      'select 1 from "order" where id = ? and version = ? for update',
      [order.id, order.version],
      'all',
      tx.getTransactionContext(),
    );
  if (held.length === 0)
    throw conflict(order, 'was changed by another operation at the same time', { version: order.version });
  // Every change moves the version, even one that only touches lines, reservations or returns.
  order.updatedAt = new Date();
  const lines = await tx.find(OrderLine, { order: order.id }, { orderBy: { position: 'asc' } });
  return { order, lines, version: order.version };
}

/**
 * Runs one lifecycle change in one transaction (retried on deadlock by `inTransaction`). A
 * version check that fails at flush (a writer outside `claimOrder`) is a CONFLICT too.
 */
export async function changeOrder<T>(ctx: OperationContext, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  try {
    return await inTransaction(ctx.em, work);
  } catch (error) {
    if (error instanceof OptimisticLockError) {
      throw new DomainError(
        ErrorCode.CONFLICT,
        'The order was changed by another operation at the same time; reload it and try again',
      );
    }
    throw error;
  }
}

/**
 * Refuses an operation the order's status does not allow, with the same code and shape as an
 * illegal transition: the current status and the statuses that would allow it.
 */
export function requireStatus(order: Order, allowed: readonly OrderStatus[], operation: string): void {
  if (allowed.includes(order.status)) return;
  throw new DomainError(
    ErrorCode.ILLEGAL_TRANSITION,
    `Order ${order.number} is ${order.status}: ${operation} needs it to be ${allowed.join(', ')}`,
    { orderId: order.id, current: order.status, operation, allowed: [...allowed] },
  );
}

/** Units of a line still to ship: ordered, not cancelled, not shipped. */
export function openUnits(line: OrderLine): number {
  return line.quantity - line.quantityCancelled - line.quantityShipped;
}

/** The line with this id on this order, or NOT_FOUND. */
export function lineOf(lines: OrderLine[], lineId: string): OrderLine {
  const line = lines.find((l) => l.id === lineId);
  if (!line) throw notFound('OrderLine', lineId);
  return line;
}
