import type { EntityManager } from '@mikro-orm/core';
import type { WebhookDeliveryStatus } from './webhook-delivery.entity.js';

/** A delivery as a worker holds it: everything needed to process it, body included. */
export interface ClaimedDelivery {
  id: string;
  channelId: string;
  deliveryId: string;
  topic: string;
  triggeredAt: Date | null;
  receivedAt: Date;
  body: string;
  attempts: number;
}

const CLAIMED_COLUMNS = 'id, channel_id, delivery_id, topic, triggered_at, received_at, body, attempts';

interface ClaimedRow {
  id: string;
  channel_id: string;
  delivery_id: string;
  topic: string;
  triggered_at: Date | string | null;
  received_at: Date | string;
  body: string;
  attempts: number;
}

const asDate = (v: Date | string) => (v instanceof Date ? v : new Date(v));
const claimedOf = (r: ClaimedRow): ClaimedDelivery => ({
  id: r.id,
  channelId: r.channel_id,
  deliveryId: r.delivery_id,
  topic: r.topic,
  triggeredAt: r.triggered_at === null ? null : asDate(r.triggered_at),
  receivedAt: asDate(r.received_at),
  body: r.body,
  attempts: r.attempts,
});

/**
 * A row is claimable when it waits (pending), failed earlier (a BullMQ retry or a replay), or
 * its holder's lease ran out (a worker died mid-job). One conditional UPDATE decides, so of two
 * jobs for the same row only one gets it.
 */
const CLAIMABLE = `(status in ('pending', 'failed') or (status = 'processing' and claimed_at < now() - make_interval(secs => ?)))`;

export type ClaimResult =
  | { claimed: ClaimedDelivery }
  /** Already processed or ignored: a duplicate job, nothing to do. */
  | { done: WebhookDeliveryStatus }
  /** Another worker holds it under a live lease: that one finishes it (or the sweeper revives it). */
  | { busy: true }
  | { missing: true };

/** Claims one delivery for processing (status → processing, attempts + 1, lease from now). */
export async function claimDelivery(em: EntityManager, id: string, leaseSeconds: number): Promise<ClaimResult> {
  const conn = em.getConnection();
  const rows = await conn.execute<ClaimedRow[]>(
    `update webhook_delivery set status = 'processing', attempts = attempts + 1, claimed_at = now()
      where id = ? and ${CLAIMABLE}
      returning ${CLAIMED_COLUMNS}`,
    [id, leaseSeconds],
    'all',
  );
  if (rows[0]) return { claimed: claimedOf(rows[0]) };
  const [row] = await conn.execute<{ status: WebhookDeliveryStatus }[]>(
    'select status from webhook_delivery where id = ?',
    [id],
    'all',
  );
  if (!row) return { missing: true };
  if (row.status === 'processed' || row.status === 'ignored') return { done: row.status };
  return { busy: true };
}

/**
 * Claims up to `limit` more waiting deliveries of one channel and topics, oldest first, so a
 * storm is ingested in batches rather than one transaction per delivery. Rows another worker is
 * claiming are skipped (skip locked), never waited for; their own jobs then find them done.
 */
export async function claimChannelBatch(
  em: EntityManager,
  channelId: string,
  topics: readonly string[],
  limit: number,
): Promise<ClaimedDelivery[]> {
  if (limit <= 0 || topics.length === 0) return [];
  const rows = await em.getConnection().execute<ClaimedRow[]>(
    `update webhook_delivery set status = 'processing', attempts = attempts + 1, claimed_at = now()
      where id in (
        select id from webhook_delivery
         where channel_id = ? and status = 'pending' and topic in (${topics.map(() => '?').join(', ')})
         order by received_at, id
         limit ? for update skip locked)
      returning ${CLAIMED_COLUMNS}`,
    [channelId, ...topics, limit],
    'all',
  );
  return rows.map(claimedOf);
}

const clip = (text: string) => (text.length > 1000 ? `${text.slice(0, 997)}...` : text);

/**
 * Done: `processed` (it changed something or was a no-op by rule) or `ignored` (nothing applies).
 * A batch's outcomes in one statement, so a storm is not one round trip per delivery.
 */
export async function markDeliveries(
  em: EntityManager,
  done: readonly { id: string; status: 'processed' | 'ignored'; outcome: string }[],
): Promise<void> {
  if (done.length === 0) return;
  await em.getConnection().execute(
    `update webhook_delivery d set status = r.status, outcome = r.outcome, last_error = null, processed_at = now(), claimed_at = null
       from jsonb_to_recordset(?::jsonb) r(id uuid, status varchar, outcome text)
      where d.id = r.id`,
    [JSON.stringify(done.map((d) => ({ id: d.id, status: d.status, outcome: clip(d.outcome) })))],
    'run',
  );
}

/**
 * A processing error. `final`: out of retries, the row stays `failed` (visible, replayable);
 * otherwise it goes back to `pending` with the error, and the job's own retry claims it again.
 */
export async function markDeliveryError(em: EntityManager, id: string, error: string, final: boolean): Promise<void> {
  await em
    .getConnection()
    .execute(
      `update webhook_delivery set status = ?, last_error = ?, claimed_at = null where id = ? and status = 'processing'`,
      [final ? 'failed' : 'pending', clip(error), id],
      'run',
    );
}
