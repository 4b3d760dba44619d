import type { EntityManager } from '@mikro-orm/core';

/**
 * Deliveries that may have no job to finish them, oldest first: pending for longer than
 * `olderThanSeconds` (stored while Redis was down, or lost with its last second), or held
 * under a lease that ran out (the worker died; a batch took them from their own jobs, which
 * then ended as no-ops). Re-enqueueing them is safe: the job id is the row id and the claim is
 * conditional.
 */
export async function pendingDeliveryIds(
  em: EntityManager,
  olderThanSeconds: number,
  limit: number,
  leaseSeconds = 60,
): Promise<string[]> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `select id from webhook_delivery
      where (status = 'pending' and received_at < now() - make_interval(secs => ?))
         or (status = 'processing' and claimed_at < now() - make_interval(secs => ?))
      order by received_at limit ?`,
    [olderThanSeconds, leaseSeconds, limit],
    'all',
  );
  return rows.map((r: { id: string }) => r.id);
}

/**
 * Deletes processed and ignored deliveries received more than `retentionDays` ago, in batches
 * (a long delete would hold locks the inbox needs). Failed ones stay until someone looks.
 * Returns how many rows went.
 */
export async function pruneWebhookDeliveries(em: EntityManager, retentionDays: number, batch = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await em.getConnection().execute<{ id: string }[]>(
      `delete from webhook_delivery where id in (
         select id from webhook_delivery
          where status in ('processed', 'ignored') and received_at < now() - make_interval(days => ?)
          limit ?)
       returning id`,
      [retentionDays, batch],
      'all',
    );
    total += rows.length;
    if (rows.length < batch) return total;
  }
}
