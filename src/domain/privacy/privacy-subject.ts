import { LockMode, type EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { Customer } from '../orders/customer.entity.js';
import { scopedChannelId } from '../channels/channel-scope.js';

/**
 * The customer a data-subject request (export, erasure) is about, as the caller may see it.
 * Unknown ids are NOT_FOUND. A channel-scoped key sees only customers who ordered on its
 * channel (others are NOT_FOUND, as in `customer`), and may act only on customers whose orders
 * are all on its channel: their data elsewhere belongs to another channel's operator, so that
 * is FORBIDDEN and needs an unscoped key. `lock` takes the row for update (erasure).
 */
export async function privacySubject(
  ctx: OperationContext,
  em: EntityManager,
  customerId: string,
  lock = false,
): Promise<Customer> {
  const customer = isUuid(customerId)
    ? await em.findOne(Customer, { id: customerId }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {})
    : null;
  if (!customer) throw notFound('Customer', customerId);
  const scope = scopedChannelId(ctx.actor);
  if (scope === null) return customer;
  const [counts]: { inside: number; outside: number }[] = await em
    .getConnection()
    .execute<{ inside: number; outside: number }[]>(
      `select count(*) filter (where channel_id = ?)::int as inside, count(*) filter (where channel_id <> ?)::int as outside
       from "order" where customer_id = ?`,
      [scope, scope, customer.id],
      'all',
      em.getTransactionContext(),
    );
  if (!counts || counts.inside === 0) throw notFound('Customer', customerId);
  if (counts.outside > 0) {
    throw new DomainError(
      ErrorCode.FORBIDDEN,
      `Customer ${customer.id} also has orders outside channel ${scope}: use a key without a channel`,
      { channelId: scope },
    );
  }
  return customer;
}
