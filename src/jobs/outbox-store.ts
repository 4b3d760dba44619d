import type { EntityManager } from '@mikro-orm/core';
import type { OutboxMessage } from '../domain/outbox/outbox-message.js';
import type { OutboxTopic } from '../domain/outbox/outbox.js';

/**
 * The SQL the outbox relay runs, and nothing else: claim committed, unpublished rows in id
 * order, mark them published, report the lag, trim old rows. It knows no domain rule.
 */

/**
 * Transaction-level advisory lock key held by the one relay that publishes at a time. Advisory
 * locks are per database, so hubs on different databases never contend. (A fixed number:
 * `hashtext` is not a stable API.)
 */
const RELAY_LOCK_KEY = 7_316_001;

type Row = { id: string | number; topic: string; aggregate_id: string; payload: unknown; created_at: string };

const toMessage = (r: Row): OutboxMessage => ({
  id: Number(r.id),
  topic: r.topic as OutboxTopic,
  aggregateId: r.aggregate_id,
  payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
  createdAt: r.created_at,
});

async function query<T>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
}

/**
 * Takes the relay lock for the rest of `tx`, or answers false at once when another relay holds
 * it. One claimer at a time is what keeps an aggregate's events in order: two relays each with
 * half a batch could otherwise publish a later event of an order before an earlier one.
 */
export async function tryTakeRelayLock(tx: EntityManager): Promise<boolean> {
  const rows = await query<{ locked: boolean }>(tx, 'select pg_try_advisory_xact_lock(?) as locked', [RELAY_LOCK_KEY]);
  return rows[0]?.locked === true;
}

/**
 * Up to `limit` committed, unpublished rows, oldest first, locked until `tx` ends. Rows of
 * transactions still in flight are invisible here, so nothing uncommitted is ever claimed;
 * `skip locked` lets a publisher that does not take the relay lock never wait on one that does.
 */
export async function claimUnpublished(tx: EntityManager, limit: number): Promise<OutboxMessage[]> {
  const rows = await query<Row>(
    tx,
    `select id, topic, aggregate_id, payload,
            to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at
       from outbox_event
      where published_at is null
      order by id
      limit ?
        for update skip locked`,
    [limit],
  );
  return rows.map(toMessage);
}

/** Marks exactly the claimed rows (by id, never by range: a range could take in a row committed meanwhile). */
export async function markPublished(tx: EntityManager, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await query(tx, 'update outbox_event set published_at = now() where id = any(?::bigint[])', [`{${ids.join(',')}}`]);
}

/** A cheap check (partial index on unpublished rows) before opening a claiming transaction. */
export async function hasUnpublished(em: EntityManager): Promise<boolean> {
  const rows = await query<{ found: boolean }>(
    em,
    'select exists (select 1 from outbox_event where published_at is null) as found',
  );
  return rows[0]?.found === true;
}

/** Seconds since the oldest committed, unpublished row was written; 0 when all are published. */
export async function outboxLagSeconds(em: EntityManager): Promise<number> {
  const rows = await query<{ lag: string | number | null }>(
    em,
    `select extract(epoch from (clock_timestamp() - created_at))::float8 as lag
       from outbox_event where published_at is null order by id limit 1`,
  );
  return Math.max(0, Number(rows[0]?.lag ?? 0));
}

/**
 * Deletes published rows older than `before`, `batch` at a time (walking the primary key from
 * the oldest, so it stops early), until none are left. Unpublished rows are never deleted.
 */
export async function deletePublishedBefore(em: EntityManager, before: Date, batch = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await query<{ n: string | number }>(
      em,
      `with gone as (
         delete from outbox_event where id in (
           select id from outbox_event where published_at is not null and published_at < ? order by id limit ?
         ) returning 1
       ) select count(*) as n from gone`,
      [before, batch],
    );
    const n = Number(rows[0]?.n ?? 0);
    total += n;
    if (n < batch) return total;
  }
}
