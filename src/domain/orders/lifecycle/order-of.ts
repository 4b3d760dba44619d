import type { EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { isUuid } from '../../ids.js';
import { scopedChannelId } from '../../channels/channel-scope.js';

const TABLES = { Shipment: 'shipment', Return: 'return_request' } as const;

/**
 * The order a shipment or return belongs to, read without loading the child: the child itself is
 * loaded only after the order is claimed, so its status cannot be stale. Outside a
 * channel-scoped key's channel the child is NOT_FOUND, as an unknown id would be.
 */
export async function orderIdOf(
  tx: EntityManager,
  ctx: OperationContext,
  kind: keyof typeof TABLES,
  id: string,
): Promise<string> {
  if (!isUuid(id)) throw notFound(kind, id);
  const scope = scopedChannelId(ctx.actor);
  const rows = await tx
    .getConnection()
    .execute<{ order_id: string }[]>(
      `select c.order_id from ${TABLES[kind]} c join "order" o on o.id = c.order_id where c.id = ?${scope === null ? '' : ' and o.channel_id = ?'}`,
      scope === null ? [id] : [id, scope],
      'all',
      tx.getTransactionContext(),
    );
  if (!rows[0]) throw notFound(kind, id);
  return rows[0].order_id;
}
