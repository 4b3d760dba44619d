import { recordOutboxEvent } from '../outbox/outbox.js';
import type { EntityManager } from '@mikro-orm/core';
import { writeAudit } from '../audit/audit-log.js';
import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode, notFound } from '../errors.js';
import { validatePageRequest, type Page } from '../pagination.js';
import { inTransaction } from '../transaction.js';
import { channelFilterFor } from './channel-scope.js';
import { ChannelListing } from './channel-listing.entity.js';
import { Channel } from './channel.entity.js';
import { sqlRows } from './sql.js';

const EXTERNAL_ID_MAX = 255;

export interface MapListingInput {
  channelId: string;
  sku: string;
  /** null clears a manual mapping (the next sync may match the SKU automatically again). */
  externalVariantId: string | null;
  externalInventoryItemId?: string | null;
  externalLocationId?: string | null;
}

/** One SKU as the platform lists it, found by a sync. */
export interface AutoListing {
  sku: string;
  externalVariantId: string;
  externalInventoryItemId: string | null;
  /** Where the platform keeps the SKU's stock (the location the stock push sets); null keeps the one held. */
  externalLocationId?: string | null;
}

function externalId(field: string, value: string | null | undefined): string | null {
  if (value == null) return null;
  const text = value.trim();
  if (!text || text.length > EXTERNAL_ID_MAX) throw badInput(field, `must be 1 to ${EXTERNAL_ID_MAX} characters`);
  return text;
}

/**
 * Sets or clears, by hand, which platform variant a SKU is on a channel: for platforms whose SKU
 * differs from ours. A manual mapping wins over sync: an automatic row for the same SKU or the
 * same variant is replaced. Two SKUs cannot share one variant (CONFLICT). Audited.
 */
export async function mapListing(ctx: OperationContext, input: MapListingInput): Promise<ChannelListing | null> {
  const sku = (input.sku ?? '').trim();
  if (!sku) throw badInput('sku', 'must not be empty');
  const variantId = externalId('externalVariantId', input.externalVariantId);
  const inventoryItemId = externalId('externalInventoryItemId', input.externalInventoryItemId);
  const locationId = externalId('externalLocationId', input.externalLocationId);
  return inTransaction(ctx.em, async (tx) => {
    const channel = await tx.findOne(Channel, { id: input.channelId });
    if (!channel) throw notFound('Channel', input.channelId);
    if (channel.kind === 'direct') throw badInput('channelId', 'the direct channel has no platform listings');
    const known = await sqlRows<{ n: number }>(tx, 'select 1 as n from variant where sku = ?', [sku]);
    if (known.length === 0) throw badInput('sku', `unknown SKU ${sku}`);
    if (variantId === null) {
      await sqlRows(tx, 'delete from channel_listing where channel_id = ? and sku = ?', [channel.id, sku]);
      await writeAudit(tx, ctx, {
        action: 'channel.listing_cleared',
        subjectType: 'channel',
        subjectId: channel.id,
        data: { sku },
      });
      return null;
    }
    const clash = await sqlRows<{ sku: string; mapped_by: string }>(
      tx,
      `select sku, mapped_by from channel_listing where channel_id = ? and external_variant_id = ? and sku <> ? for update`,
      [channel.id, variantId, sku],
    );
    if (clash.some((r) => r.mapped_by === 'manual'))
      throw new DomainError(
        ErrorCode.CONFLICT,
        `That platform variant is mapped by hand to SKU ${clash[0]!.sku}: clear it first`,
        {
          field: 'externalVariantId',
          sku: clash[0]!.sku,
        },
      );
    if (clash.length > 0)
      await sqlRows(
        tx,
        `delete from channel_listing where channel_id = ? and external_variant_id = ? and mapped_by = 'auto'`,
        [channel.id, variantId],
      );
    await sqlRows(
      tx,
      `insert into channel_listing (channel_id, sku, external_variant_id, external_inventory_item_id, external_location_id, mapped_by, updated_at)
       values (?, ?, ?, ?, ?, 'manual', now())
       on conflict (channel_id, sku) do update set
         external_variant_id = excluded.external_variant_id,
         external_inventory_item_id = excluded.external_inventory_item_id,
         external_location_id = excluded.external_location_id,
         mapped_by = 'manual',
         -- another variant: what was pushed to the old one says nothing about the new one
         last_pushed_quantity = case when channel_listing.external_variant_id = excluded.external_variant_id
                                     then channel_listing.last_pushed_quantity end,
         last_pushed_at = case when channel_listing.external_variant_id = excluded.external_variant_id
                               then channel_listing.last_pushed_at end,
         updated_at = now()`,
      [channel.id, sku, variantId, inventoryItemId, locationId],
    );
    await writeAudit(tx, ctx, {
      action: 'channel.listing_mapped',
      subjectType: 'channel',
      subjectId: channel.id,
      data: { sku },
    });
    // The platform may hold any figure until the SKU's next stock change: push ours now.
    recordOutboxEvent(tx, 'channel.listing_mapped', channel.id, { channelId: channel.id, sku });
    return tx.findOneOrFail(ChannelListing, { channelId: channel.id, sku }, { refresh: true });
  });
}

/**
 * Records what a sync found, matching platform SKUs to ours (one statement for the batch, in
 * the caller's transaction when `em` is one). Only SKUs the hub sells are kept; manual rows
 * (same SKU or same variant) are never touched; an automatic row whose variant now carries
 * another SKU moves to it. Returns how many rows were written.
 */
export async function upsertAutoListings(
  em: EntityManager,
  channelId: string,
  listings: readonly AutoListing[],
): Promise<number> {
  // The last sighting of a SKU and of a variant wins within one batch, so the insert sees each once.
  const bySku = new Map<string, AutoListing>();
  for (const l of listings) if (l.sku.trim() && l.externalVariantId.trim()) bySku.set(l.sku.trim(), l);
  const byVariant = new Map<string, AutoListing>();
  for (const l of bySku.values()) byVariant.set(l.externalVariantId, l);
  const batch = [...byVariant.values()];
  if (batch.length === 0) return 0;
  const json = JSON.stringify(
    batch.map((l) => ({
      sku: l.sku.trim(),
      variant_id: l.externalVariantId,
      item_id: l.externalInventoryItemId,
      location_id: l.externalLocationId ?? null,
    })),
  );
  const rows = await sqlRows<{ n: number }>(
    em,
    `with found as (
       select u.sku, u.variant_id, u.item_id, u.location_id
       from jsonb_to_recordset(?::jsonb) as u(sku text, variant_id text, item_id text, location_id text)
       join variant v on v.sku = u.sku
       where not exists (
         select 1 from channel_listing m
         where m.channel_id = ?1 and m.mapped_by = 'manual' and (m.sku = u.sku or m.external_variant_id = u.variant_id)
       )
     ),
     moved as (
       delete from channel_listing c using found f
       where c.channel_id = ?1 and c.mapped_by = 'auto' and c.external_variant_id = f.variant_id and c.sku <> f.sku
     )
     insert into channel_listing (channel_id, sku, external_variant_id, external_inventory_item_id,
                                  external_location_id, mapped_by, updated_at)
     select ?1, sku, variant_id, item_id, location_id, 'auto', now() from found
     on conflict (channel_id, sku) do update set
       external_variant_id = excluded.external_variant_id,
       external_inventory_item_id = excluded.external_inventory_item_id,
       external_location_id = coalesce(excluded.external_location_id, channel_listing.external_location_id),
       last_pushed_quantity = case when channel_listing.external_variant_id = excluded.external_variant_id
                                   then channel_listing.last_pushed_quantity end,
       last_pushed_at = case when channel_listing.external_variant_id = excluded.external_variant_id
                             then channel_listing.last_pushed_at end,
       updated_at = now()
     where channel_listing.mapped_by = 'auto'
     returning 1 as n`.replaceAll('?1', '?'),
    [json, channelId, channelId, channelId],
  );
  return rows.length;
}

/** The SKU a platform variant is listed as on a channel (for order lines whose platform SKU differs). */
export async function skusForExternalVariants(
  em: EntityManager,
  channelId: string,
  externalVariantIds: readonly string[],
): Promise<Map<string, string>> {
  if (externalVariantIds.length === 0) return new Map();
  const rows = await sqlRows<{ sku: string; external_variant_id: string }>(
    em,
    `select sku, external_variant_id from channel_listing
     where channel_id = ? and external_variant_id = any(array(select jsonb_array_elements_text(?::jsonb)))`,
    [channelId, JSON.stringify([...new Set(externalVariantIds)])],
  );
  return new Map(rows.map((r) => [r.external_variant_id, r.sku]));
}

export async function skuForExternalVariant(
  em: EntityManager,
  channelId: string,
  externalVariantId: string,
): Promise<string | null> {
  return (await skusForExternalVariants(em, channelId, [externalVariantId])).get(externalVariantId) ?? null;
}

function encodeSkuCursor(sku: string): string {
  return Buffer.from(`listing|${sku}`, 'utf8').toString('base64url');
}

function decodeSkuCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('listing|') || text.length <= 'listing|'.length)
    throw badInput('after', 'is not a cursor this API returned (use pageInfo.endCursor)');
  return text.slice('listing|'.length);
}

/** A channel's listings by SKU, keyset-paged; a channel-scoped key reads only its own channel's. */
export async function listChannelListings(
  ctx: OperationContext,
  channelId: string,
  args: { first?: number | null; after?: string | null },
): Promise<Page<ChannelListing>> {
  const id = channelFilterFor(ctx.actor, channelId) ?? channelId;
  const page = validatePageRequest(args.first, args.after);
  const after = page.after ? decodeSkuCursor(page.after) : null;
  if (!(await ctx.em.findOne(Channel, { id }))) throw notFound('Channel', id);
  const [rows, totalCount] = await Promise.all([
    ctx.em.find(ChannelListing, after === null ? { channelId: id } : { channelId: id, sku: { $gt: after } }, {
      orderBy: { sku: 'asc' },
      limit: page.first + 1,
    }),
    ctx.em.count(ChannelListing, { channelId: id }),
  ]);
  const items = rows.slice(0, page.first);
  return {
    items,
    hasNextPage: rows.length > page.first,
    totalCount,
    cursors: items.map((r) => encodeSkuCursor(r.sku)),
  };
}
