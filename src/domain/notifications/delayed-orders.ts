import type { EntityManager } from '@mikro-orm/core';

/**
 * Orders backordered for longer than `olderThan` (counted from their last move to BACKORDERED)
 * whose customer was not told yet, on channels that notify their customers; oldest first.
 */
export async function ordersDelayedSince(em: EntityManager, olderThan: Date, limit: number): Promise<string[]> {
  const rows: { id: string }[] = await em.getConnection().execute<{ id: string }[]>(
    `select o.id
       from "order" o join channel ch on ch.id = o.channel_id and ch.notify_customers
      where o.status = 'BACKORDERED'
        and (select max(e.created_at) from order_event e where e.order_id = o.id and e.to_status = 'BACKORDERED') < ?
        and not exists (select 1 from notification n where n.key = 'delayed:' || o.id)
      order by o.placed_at
      limit ?`,
    [olderThan, limit],
  );
  return rows.map((r) => r.id);
}
