import type { EntityManager } from '@mikro-orm/core';
import { writeAudit } from '../audit/audit-log.js';
import type { Principal } from '../auth/principal.js';
import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import { eraseCustomer } from '../privacy/erase-customer.js';

/**
 * What a platform asks of the hub through webhooks that are not orders: the app was
 * uninstalled, or a data-protection request (export, erase one customer, erase a whole shop).
 * Each returns a short outcome for the delivery row (ids and counts, never personal data).
 */

/** The platform acting through a channel: a system principal scoped to that channel. */
export function channelPrincipal(channelId: string): Principal {
  return { kind: 'system', id: 'system', name: `webhook ${channelId}`, role: 'admin', channelId, keyPrefix: null };
}

/**
 * The app was removed from the store: the hub can no longer call the platform, so the channel
 * is disabled with the reason in its health. Orders stay. Idempotent.
 */
export async function disableUninstalledChannel(em: EntityManager, channelId: string): Promise<string> {
  await em.getConnection().execute(
    `update channel set enabled = false, last_error = 'app uninstalled', last_error_at = now(), updated_at = now()
      where id = ?`,
    [channelId],
    'run',
  );
  return `channel ${channelId} disabled: app uninstalled`;
}

async function customerIdByEmail(em: EntityManager, email: string): Promise<string | null> {
  const [row] = await em
    .getConnection()
    .execute<{ id: string }[]>('select id from customer where lower(email) = lower(?)', [email], 'all');
  return (row as { id: string } | undefined)?.id ?? null;
}

/** Raised for a request the hub must not carry out alone: an operator decides (never retried). */
export class PlatformRequestRefused extends Error {}

/**
 * customers/data_request: the merchant must send the customer their data. The export itself is
 * `exportCustomerData` (an operator runs it and sends it); the hub records the request in the
 * audit log so it is not forgotten.
 */
export async function recordDataRequest(
  ctx: OperationContext,
  channelId: string,
  email: string | null,
  requestRef: string,
): Promise<string> {
  const customerId = email ? await customerIdByEmail(ctx.em, email) : null;
  await writeAudit(ctx.em, ctx, {
    action: 'customer.export_requested',
    subjectType: customerId ? 'customer' : 'channel',
    subjectId: customerId ?? channelId,
    data: { channelId, requestRef, knownCustomer: customerId !== null },
  });
  return customerId
    ? `export requested for customer ${customerId}: run customerDataExport and send it`
    : 'export requested for a customer the hub does not know: nothing to export';
}

/**
 * customers/redact: erase the customer the platform names, by email. A customer who also
 * ordered on another channel is refused (their data there is not this platform's to erase):
 * an operator decides, with `eraseCustomer` and an unscoped key.
 */
export async function redactChannelCustomer(
  ctx: OperationContext,
  channelId: string,
  email: string | null,
  requestRef: string,
): Promise<string> {
  const customerId = email ? await customerIdByEmail(ctx.em, email) : null;
  if (!customerId) return 'no such customer: nothing to erase';
  try {
    await eraseCustomer(
      { ...ctx, actor: channelPrincipal(channelId) },
      customerId,
      `${channelId} redact ${requestRef}`,
    );
  } catch (error) {
    if (error instanceof DomainError && error.code === ErrorCode.FORBIDDEN)
      throw new PlatformRequestRefused(
        `customer ${customerId} also has orders on other channels: erase by hand (eraseCustomer) if that is right`,
      );
    if (error instanceof DomainError && error.code === ErrorCode.NOT_FOUND)
      return `customer ${customerId} has no orders on ${channelId}: nothing to erase`;
    throw error;
  }
  return `customer ${customerId} erased`;
}

/**
 * shop/redact (48 h after uninstalling): erase every customer who ordered on this channel
 * only. Customers who also ordered elsewhere are left and counted; the delivery then fails
 * visibly for an operator. Erasing again is harmless, so a replay finishes the job.
 */
export async function redactChannelCustomers(ctx: OperationContext, channelId: string, requestRef: string) {
  const rows = await ctx.em.getConnection().execute<{ customer_id: string; elsewhere: boolean }[]>(
    `select o.customer_id, bool_or(exists (select 1 from "order" x where x.customer_id = o.customer_id and x.channel_id <> ?)) as elsewhere
       from "order" o where o.channel_id = ? and o.customer_id is not null group by o.customer_id`,
    [channelId, channelId],
    'all',
  );
  let erased = 0;
  let left = 0;
  for (const row of rows as { customer_id: string; elsewhere: boolean }[]) {
    if (row.elsewhere) {
      left++;
      continue;
    }
    await eraseCustomer(
      { ...ctx, actor: channelPrincipal(channelId), em: ctx.em.fork() },
      row.customer_id,
      `${channelId} shop redact ${requestRef}`,
    );
    erased++;
  }
  const outcome = `${erased} customers erased`;
  if (left > 0)
    throw new PlatformRequestRefused(
      `${outcome}; ${left} also ordered on other channels and were left for an operator`,
    );
  return outcome;
}

/**
 * After an erasure: the stored bodies of this channel's finished deliveries that contain one
 * of the erased values are replaced, so the inbox keeps no copy of what was erased. `alsoIds`
 * names deliveries to redact whatever their state (the redact request itself).
 */
export async function redactDeliveryBodies(
  em: EntityManager,
  channelId: string,
  values: readonly string[],
  alsoIds: readonly string[],
): Promise<number> {
  const needles = values.map((v) => v.trim().toLowerCase()).filter((v) => v.length >= 3);
  if (needles.length === 0 && alsoIds.length === 0) return 0;
  const match = needles.map(() => 'position(? in lower(body)) > 0').join(' or ') || 'false';
  const ids = alsoIds.length > 0 ? `id in (${alsoIds.map(() => '?').join(', ')})` : 'false';
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `update webhook_delivery set body = '{"redacted":true}'
      where channel_id = ? and (${ids} or (status in ('processed', 'ignored', 'failed') and (${match})))
      returning id`,
    [channelId, ...alsoIds, ...needles],
    'all',
  );
  return (rows as unknown[]).length;
}
