import { writeAudit } from '../audit/audit-log.js';
import type { OperationContext } from '../context.js';
import { Order } from '../orders/order.entity.js';
import { inTransaction } from '../transaction.js';
import { channelPrincipal } from '../webhooks/platform-requests.js';
import type { PostalAddress } from '../address.js';
import { eraseOrdersPersonalData } from './erase-customer.js';
import { piiValues } from './pii-scrub.js';

export interface ErasedBuyer {
  orders: number;
  /** Customers erased whole: every order they have is one of this account's on this channel. */
  customersErased: number;
  /** Customers who also ordered otherwise: only this account's orders were erased, the customer stays. */
  customersKept: number;
}

/**
 * A platform's account-deletion notice (eBay's MARKETPLACE_ACCOUNT_DELETION): the buyer's
 * personal data on this channel's orders placed by that account (`order.channel_buyer`, the
 * eBay username recorded at ingest) is erased, in one transaction, as eraseCustomer erases it:
 * email, note, buyer account and address lines go, the country, totals, lines and statuses stay,
 * and the timeline, returns and outbox payloads lose every erased value. A customer whose every
 * order is among them is erased whole, as eraseCustomer erases one, in the same transaction (a
 * crash leaves all or nothing, and the retry finds the account still recorded); one who also
 * ordered otherwise keeps their record, since it is not only this account's. Each notice is
 * audited with counts and never the account's names. A second notice finds nothing (the account
 * is no longer recorded), so it changes nothing more.
 */
export async function eraseChannelBuyer(
  ctx: OperationContext,
  channelId: string,
  accounts: readonly string[],
  requestRef: string,
): Promise<ErasedBuyer> {
  const names = [...new Set(accounts.map((a) => a.trim()).filter((a) => a !== ''))];
  const actor = channelPrincipal(channelId);
  return inTransaction(ctx.em, async (tx) => {
    const found: ErasedBuyer = { orders: 0, customersErased: 0, customersKept: 0 };
    if (names.length === 0) return found;
    const run = async <T>(sql: string, params: unknown[]) =>
      (await tx.getConnection().execute(sql, params, 'all', tx.getTransactionContext())) as T[];
    const rows = await run<{ id: string; customer_id: string | null }>(
      `select id, customer_id from "order" where channel_id = ? and channel_buyer = any(array(select jsonb_array_elements_text(?::jsonb))) for update`,
      [channelId, JSON.stringify(names)],
    );
    const orders = rows.length ? await tx.find(Order, { id: { $in: rows.map((r) => r.id) } }) : [];
    const customerIds = [...new Set(rows.flatMap((r) => (r.customer_id ? [r.customer_id] : [])))];
    // Customers with an order that is not one of this account's here keep their record.
    const shared = customerIds.length
      ? await run<{ customer_id: string }>(
          `select distinct customer_id from "order"
            where customer_id = any(array(select jsonb_array_elements_text(?::jsonb)::uuid)) and not (channel_id = ? and coalesce(channel_buyer = any(array(select jsonb_array_elements_text(?::jsonb))), false))`,
          [JSON.stringify(customerIds), channelId, JSON.stringify(names)],
        )
      : [];
    const kept = new Set(shared.map((r) => r.customer_id));
    const whole = customerIds.filter((id) => !kept.has(id));
    const customers = whole.length
      ? await run<{
          id: string;
          email: string | null;
          name: string | null;
          phone: string | null;
          addresses: PostalAddress[] | null;
        }>(
          'select id, email, name, phone, addresses from customer where id = any(array(select jsonb_array_elements_text(?::jsonb)::uuid)) for update',
          [JSON.stringify(whole)],
        )
      : [];
    const values = piiValues({
      strings: [
        ...names,
        ...orders.flatMap((o) => [o.email, o.channelBuyer]),
        ...customers.flatMap((c) => [c.email, c.name, c.phone]),
      ],
      addresses: [
        ...orders.flatMap((o) => [o.shippingAddress, o.billingAddress]),
        ...customers.flatMap((c) => c.addresses ?? []),
      ],
    });
    const scrubbed = await eraseOrdersPersonalData(tx, orders, values);
    for (const customer of customers) {
      await run(
        `update customer set email = null, name = null, phone = null, addresses = '[]'::jsonb,
           erased_at = coalesce(erased_at, now()) where id = ?`,
        [customer.id],
      );
      await writeAudit(tx, ctx, {
        actor,
        action: 'customer.erase',
        subjectType: 'customer',
        subjectId: customer.id,
        data: {
          reason: `${channelId} account deletion ${requestRef}`,
          orders: rows.filter((r) => r.customer_id === customer.id).length,
        },
      });
    }
    found.orders = orders.length;
    found.customersErased = customers.length;
    found.customersKept = kept.size;
    await writeAudit(tx, ctx, {
      actor,
      action: 'channel.buyer_erase',
      subjectType: 'channel',
      subjectId: channelId,
      data: { requestRef, ...found, ...scrubbed },
    });
    return found;
  });
}
