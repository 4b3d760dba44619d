import type { EntityManager } from '@mikro-orm/core';

/**
 * Every SQL statement of the channel jobs (stock coalescing, listings, push records, channel
 * health and cursor), and nothing else, so the integrator adjusts one file when the tables of
 * the parallel work (channel_listing; order_line.external_line_id) settle.
 *
 * Lists travel as one JSON text parameter (`jsonb_array_elements_text(?::jsonb)`), never as a
 * bound array, so no driver expands them into a parameter list.
 */

async function query<T>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
}

/** Channels that push and pull: connected to a platform, enabled, not disconnected. */
const ACTIVE_CHANNEL = `c.kind <> 'direct' and c.enabled and c.disconnected_at is null`;

/**
 * Marks the SKUs of these variants dirty on every active channel that lists them. Upsert: a
 * second change of a SKU moves `dirty_since` and adds no row (the push reads the figure at push
 * time, so the last value wins). `clock_timestamp()`, not the transaction's `now()`: a push
 * clears only rows dirtied before it read the figures, so the stamp must come after the stock
 * change it stands for committed (which it does: the caller saw the committed outbox row).
 * Rows are written in (channel, sku) order so concurrent markers never deadlock.
 * Returns the channels that got a dirty row.
 */
export async function markVariantsDirty(em: EntityManager, variantIds: readonly string[]): Promise<string[]> {
  if (variantIds.length === 0) return [];
  const rows = await query<{ channel_id: string }>(
    em,
    `with marked as (
       insert into channel_stock_dirty (channel_id, sku, dirty_since)
       select c.id, v.sku, clock_timestamp()
         from variant v
         join channel_listing cl on cl.sku = v.sku
         join channel c on c.id = cl.channel_id
        where v.id in (select (jsonb_array_elements_text(?::jsonb))::uuid) and ${ACTIVE_CHANNEL}
        group by c.id, v.sku
        order by c.id, v.sku
       on conflict (channel_id, sku) do update set dirty_since = excluded.dirty_since
       returning channel_id
     ) select distinct channel_id from marked`,
    [JSON.stringify(variantIds)],
  );
  return rows.map((r) => r.channel_id);
}

/** These listings dirty (on active channels): the channels to push, as markVariantsDirty. */
export async function markListingsDirty(
  em: EntityManager,
  listings: readonly { channelId: string; sku: string }[],
): Promise<string[]> {
  if (listings.length === 0) return [];
  const rows = await query<{ channel_id: string }>(
    em,
    `with marked as (
       insert into channel_stock_dirty (channel_id, sku, dirty_since)
       select cl.channel_id, cl.sku, clock_timestamp()
         from jsonb_to_recordset(?::jsonb) as l("channelId" text, sku text)
         join channel_listing cl on cl.channel_id = l."channelId" and cl.sku = l.sku
         join channel c on c.id = cl.channel_id
        where ${ACTIVE_CHANNEL}
        group by cl.channel_id, cl.sku
        order by cl.channel_id, cl.sku
       on conflict (channel_id, sku) do update set dirty_since = excluded.dirty_since
       returning channel_id
     ) select distinct channel_id from marked`,
    [JSON.stringify(listings)],
  );
  return rows.map((r) => r.channel_id);
}

/**
 * Whether channel_listing exists yet. It is the channels work's table, built in parallel; until
 * its migration is merged the stock coalescing has nothing to read and must not fail the relay.
 * (The integrator may drop this check once both are on main.)
 */
export async function listingsTableExists(em: EntityManager): Promise<boolean> {
  const rows = await query<{ found: boolean }>(em, `select to_regclass('channel_listing') is not null as found`);
  return rows[0]?.found === true;
}

/** Marks every listed SKU of a channel dirty (reconciliation: re-push whatever drifted). */
export async function markChannelListingsDirty(em: EntityManager, channelId: string): Promise<number> {
  const rows = await query<{ n: string | number }>(
    em,
    `with marked as (
       insert into channel_stock_dirty (channel_id, sku, dirty_since)
       select cl.channel_id, cl.sku, clock_timestamp() from channel_listing cl
        where cl.channel_id = ? group by cl.channel_id, cl.sku order by cl.sku
       on conflict (channel_id, sku) do update set dirty_since = excluded.dirty_since
       returning 1
     ) select count(*) as n from marked`,
    [channelId],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Up to `limit` SKUs of a channel dirtied at or before `before` (a databaseClock reading), longest waiting first. */
export async function takeDirtySkus(
  em: EntityManager,
  channelId: string,
  limit: number,
  before: string,
): Promise<string[]> {
  const rows = await query<{ sku: string }>(
    em,
    `select sku from channel_stock_dirty where channel_id = ? and dirty_since <= ?::timestamptz
      order by dirty_since, sku limit ?`,
    [channelId, before, limit],
  );
  return rows.map((r) => r.sku);
}

/**
 * The database clock, as text (microseconds kept; a JS Date would round them away). Taken in a
 * statement of its own BEFORE the figures are read, so every change stamped at or before it was
 * committed before the read's snapshot.
 */
export async function databaseClock(em: EntityManager): Promise<string> {
  const rows = await query<{ t: string }>(em, 'select clock_timestamp()::text as t');
  return rows[0]!.t;
}

/** Clears the dirty rows of these SKUs not dirtied again after `readAt` (those stay for the next batch). */
export async function clearDirtySkus(
  em: EntityManager,
  channelId: string,
  skus: readonly string[],
  readAt: string,
): Promise<void> {
  if (skus.length === 0) return;
  await query(
    em,
    `delete from channel_stock_dirty
      where channel_id = ? and sku in (select jsonb_array_elements_text(?::jsonb)) and dirty_since <= ?::timestamptz`,
    [channelId, JSON.stringify(skus), readAt],
  );
}

export async function dirtyCount(em: EntityManager, channelId: string): Promise<number> {
  const rows = await query<{ n: string | number }>(
    em,
    'select count(*) as n from channel_stock_dirty where channel_id = ?',
    [channelId],
  );
  return Number(rows[0]?.n ?? 0);
}

/** A SKU's listing on a channel: the platform's ids and what we last pushed (the compare value). */
export interface ListingRow {
  sku: string;
  externalInventoryItemId: string;
  externalLocationId: string;
  lastPushedQuantity: number | null;
}

/** The listings of these SKUs that can take stock (inventory item and location known). */
export async function listingsOf(em: EntityManager, channelId: string, skus: readonly string[]): Promise<ListingRow[]> {
  if (skus.length === 0) return [];
  const rows = await query<{
    sku: string;
    external_inventory_item_id: string;
    external_location_id: string;
    last_pushed_quantity: number | null;
  }>(
    em,
    `select sku, external_inventory_item_id, external_location_id, last_pushed_quantity from channel_listing
      where channel_id = ? and sku in (select jsonb_array_elements_text(?::jsonb))
        and external_inventory_item_id is not null and external_location_id is not null`,
    [channelId, JSON.stringify(skus)],
  );
  return rows.map((r) => ({
    sku: r.sku,
    externalInventoryItemId: r.external_inventory_item_id,
    externalLocationId: r.external_location_id,
    lastPushedQuantity: r.last_pushed_quantity === null ? null : Number(r.last_pushed_quantity),
  }));
}

/** Stores the figures the platform now holds (the next push's compare values). */
export async function storePushedQuantities(
  em: EntityManager,
  channelId: string,
  figures: readonly { sku: string; quantity: number | null }[],
): Promise<void> {
  if (figures.length === 0) return;
  // The platform took these figures: any refusal an earlier push left on the listing is over.
  await query(
    em,
    `update channel_listing cl set last_pushed_quantity = f.quantity, push_error = null, push_error_at = null
       from jsonb_to_recordset(?::jsonb) as f(sku text, quantity int)
      where cl.channel_id = ? and cl.sku = f.sku`,
    [JSON.stringify(figures), channelId],
  );
}

/** Longest refusal kept on a listing (the column's width); platforms' messages can run long. */
const MAX_PUSH_ERROR = 1_000;

/**
 * Records on each listing why the platform refused its figure (Amazon's processing report,
 * eBay's 207), so the SKU's listing shows it until a later push is accepted.
 */
export async function storePushRefusals(
  em: EntityManager,
  channelId: string,
  refusals: readonly { sku: string; message: string }[],
): Promise<void> {
  if (refusals.length === 0) return;
  const rows = refusals.map((r) => ({ sku: r.sku, message: r.message.slice(0, MAX_PUSH_ERROR) }));
  await query(
    em,
    `update channel_listing cl set push_error = f.message, push_error_at = now()
       from jsonb_to_recordset(?::jsonb) as f(sku text, message text)
      where cl.channel_id = ? and cl.sku = f.sku`,
    [JSON.stringify(rows), channelId],
  );
}

/** Active channels (for the schedulers). */
export async function activeChannelIds(em: EntityManager): Promise<string[]> {
  const rows = await query<{ id: string }>(em, `select c.id from channel c where ${ACTIVE_CHANNEL} order by c.id`);
  return rows.map((r) => r.id);
}

export interface SyncChannelRow {
  id: string;
  kind: string;
  active: boolean;
  syncCursor: Date | null;
}

export async function channelForJob(em: EntityManager, channelId: string): Promise<SyncChannelRow | null> {
  const rows = await query<{ id: string; kind: string; active: boolean; sync_cursor: Date | string | null }>(
    em,
    `select c.id, c.kind, (${ACTIVE_CHANNEL}) as active, c.sync_cursor from channel c where c.id = ?`,
    [channelId],
  );
  const r = rows[0];
  if (!r) return null;
  return { id: r.id, kind: r.kind, active: r.active, syncCursor: r.sync_cursor ? new Date(r.sync_cursor) : null };
}

/** Moves the pull cursor forward only (a late, slower pull never moves it back). */
export async function advanceSyncCursor(em: EntityManager, channelId: string, to: Date): Promise<void> {
  await query(
    em,
    `update channel set sync_cursor = greatest(coalesce(sync_cursor, ?::timestamptz), ?::timestamptz), updated_at = now()
      where id = ?`,
    [to.toISOString(), to.toISOString(), channelId],
  );
}

/** Channel health: the last successful exchange with the platform. */
export async function markChannelSynced(em: EntityManager, channelId: string): Promise<void> {
  await query(em, 'update channel set last_sync_at = now() where id = ?', [channelId]);
}

/** Channel health: the last error, with its time (message only: never credentials or payloads). */
export async function markChannelError(em: EntityManager, channelId: string, message: string): Promise<void> {
  await query(em, 'update channel set last_error = left(?, 1000), last_error_at = now() where id = ?', [
    message,
    channelId,
  ]);
}

export type PushKind = 'fulfilment' | 'cancellation';

export async function pushRecorded(em: EntityManager, kind: PushKind, subjectId: string): Promise<boolean> {
  const rows = await query(em, 'select 1 from channel_push_record where kind = ? and subject_id = ?', [
    kind,
    subjectId,
  ]);
  return rows.length > 0;
}

export async function recordPush(
  em: EntityManager,
  kind: PushKind,
  subjectId: string,
  channelId: string,
  externalId: string | null,
): Promise<void> {
  await query(
    em,
    `insert into channel_push_record (kind, subject_id, channel_id, external_id) values (?, ?, ?, ?)
     on conflict (kind, subject_id) do nothing`,
    [kind, subjectId, channelId, externalId],
  );
}

/** Shipped shipments of an order not pushed yet (the outbox message names the order only). */
export async function unpushedShippedShipments(em: EntityManager, orderId: string): Promise<string[]> {
  const rows = await query<{ id: string }>(
    em,
    `select s.id from shipment s
      where s.order_id = ? and s.status in ('shipped', 'delivered')
        and not exists (select 1 from channel_push_record r where r.kind = 'fulfilment' and r.subject_id = s.id)
      order by s.id`,
    [orderId],
  );
  return rows.map((r) => r.id);
}

export interface ShipmentPushRow {
  orderId: string;
  channelId: string;
  externalOrderId: string;
  carrier: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  lines: { externalLineId: string; quantity: number }[];
}

/**
 * A shipped shipment with what the platform needs. `order_line.external_line_id` is the
 * platform's line id ingestion keeps (Shopify's LineItem GID). Lines without one are left out.
 */
export async function shipmentForPush(em: EntityManager, shipmentId: string): Promise<ShipmentPushRow | null> {
  const rows = await query<{
    order_id: string;
    channel_id: string;
    external_id: string;
    carrier: string | null;
    tracking_number: string | null;
    tracking_url: string | null;
    lines: { externalLineId: string | null; quantity: number }[];
  }>(
    em,
    `select o.id as order_id, o.channel_id, o.external_id, s.carrier, s.tracking_number, s.tracking_url,
            coalesce((select jsonb_agg(jsonb_build_object('externalLineId', ol.external_line_id, 'quantity', sl.quantity)
                                       order by ol.position)
                        from shipment_line sl join order_line ol on ol.id = sl.order_line_id
                       where sl.shipment_id = s.id), '[]'::jsonb) as lines
       from shipment s join "order" o on o.id = s.order_id
      where s.id = ? and s.status in ('shipped', 'delivered')`,
    [shipmentId],
  );
  const r = rows[0];
  if (!r) return null;
  const lines = (typeof r.lines === 'string' ? JSON.parse(r.lines) : r.lines) as ShipmentPushRow['lines'];
  return {
    orderId: r.order_id,
    channelId: r.channel_id,
    externalOrderId: r.external_id,
    carrier: r.carrier,
    trackingNumber: r.tracking_number,
    trackingUrl: r.tracking_url,
    lines: lines.filter((l) => l.externalLineId),
  };
}

export interface CancellationRow {
  channelId: string;
  externalOrderId: string;
  status: string;
  /** The actor and reason of the move to CANCELLED (who cancelled decides whether to push). */
  cancelledBy: { actorKind: string; actorId: string; reason: string | null } | null;
}

export async function orderForCancellation(em: EntityManager, orderId: string): Promise<CancellationRow | null> {
  const rows = await query<{
    channel_id: string;
    external_id: string;
    status: string;
    actor_kind: string | null;
    actor_id: string | null;
    reason: string | null;
  }>(
    em,
    `select o.channel_id, o.external_id, o.status, e.actor_kind, e.actor_id, e.reason
       from "order" o
       left join lateral (select actor_kind, actor_id, reason from order_event
                           where order_id = o.id and to_status = 'CANCELLED' order by id desc limit 1) e on true
      where o.id = ?`,
    [orderId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    channelId: r.channel_id,
    externalOrderId: r.external_id,
    status: r.status,
    cancelledBy: r.actor_kind ? { actorKind: r.actor_kind, actorId: r.actor_id!, reason: r.reason } : null,
  };
}
