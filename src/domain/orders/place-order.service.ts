import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { createHash, randomUUID } from 'node:crypto';
import { Variant } from '../catalog/variant.entity.js';
import { Channel, DIRECT_CHANNEL_ID } from '../channels/channel.entity.js';
import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode } from '../errors.js';
import { openCardPayment } from '../payments/card-payments.js';
import type { PaymentProvider } from '../payments/payment-provider.js';
import { hasIndependentStatements } from '../prepared-statement.js';
import { inTransaction } from '../transaction.js';
import { authorizeAndAllocate } from './authorize-and-allocate.js';
import { Customer } from './customer.entity.js';
import { mergeKnownCustomer } from './customer-merge.js';
import { putOnHold } from './order-hold.js';
import { holdReasons, joinHoldReasons, type HoldPolicy } from './hold-rules.js';
import { OrderLine } from './order-line.entity.js';
import { checkChannel, priceOrder } from './order-pricing.js';
import { tryFastPlacement } from './fast-placement.js';
import { readPlacementSnapshot } from './placement-snapshot.js';
import { transitionOrder, recordOrderEvent } from './order-transitions.js';
import { Order } from './order.entity.js';
import { validatePlaceOrderInput, type PlaceOrderInput, type ValidPlaceOrderInput } from './place-order.input.js';

export interface PlaceOrderDeps {
  payments: PaymentProvider;
  /**
   * The card gateway direct orders pay through (`stripe`), when the hub has one; unset, every
   * order is paid through `payments` (`manual`). A card order commits CONFIRMED with its payment
   * pending; the payments job authorises it after commit (payments/card-payments.ts).
   */
  cardPayments?: { provider: string } | null;
  /** The hold rules' settings (hold-rules.ts). */
  policy: HoldPolicy;
  /**
   * Whether the common case is written in one statement (fast-placement.ts); default on, on
   * PostgreSQL only (never on PGlite). Off runs every order through the general path — the
   * reference the fast path is tested against.
   */
  fastPath?: boolean;
}

/**
 * Places an order: validates it, records it, confirms it, applies hold rules, authorises
 * payment and reserves stock — all in one transaction, so a refused order leaves nothing
 * behind. The same idempotency key twice gives the same order. A card order (`cardPayments`)
 * commits CONFIRMED with its payment pending instead: the gateway is called by the payments job
 * after the commit, and the authorisation moves the order on (payments/apply-intent.ts).
 *
 * One snapshot read first; then the common case (no hold, stock for every line) is written in
 * one statement (fast-placement.ts), and everything else — holds, shortfalls under the
 * channel's backorder policy, races — goes through the general path below, in a transaction.
 */
export async function placeOrder(ctx: OperationContext, deps: PlaceOrderDeps, input: PlaceOrderInput): Promise<Order> {
  const valid = validatePlaceOrderInput(input, ctx.actor.channelId ?? DIRECT_CHANNEL_ID);
  if (ctx.actor.channelId !== null && valid.channelId !== ctx.actor.channelId) {
    throw new DomainError(ErrorCode.FORBIDDEN, `This key may only place orders on channel ${ctx.actor.channelId}`);
  }
  const fingerprint = valid.idempotencyKey ? fingerprintOf(valid) : null;
  const snapshot = await readPlacementSnapshot(ctx.em, valid);
  if (snapshot.existingOrderId) {
    const existing = await ctx.em.fork().findOne(Order, { id: snapshot.existingOrderId });
    if (existing) return sameOrderOrConflict(existing, fingerprint);
  }
  const cardProvider = cardProviderFor(deps, snapshot.channel, valid);
  // Chosen once, outside the transaction: a retried transaction reuses it, and so the payment
  // idempotency key derived from it stays the same.
  const orderId = randomUUID();
  // The one statement must commit on its own, which PGlite's shared connection cannot promise.
  // Nor inside a caller's transaction: its statement commits by itself.
  // A card order's payment row and step are written by the general path only.
  if (
    deps.fastPath !== false &&
    cardProvider === null &&
    !ctx.em.isInTransaction() &&
    (await hasIndependentStatements(ctx.em))
  ) {
    const placed = await tryFastPlacement(ctx.em, ctx.actor, deps, valid, snapshot, orderId, fingerprint);
    if (placed) return placed;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(ctx.em, (tx) =>
        placeInTransaction(tx, ctx, deps, valid, orderId, fingerprint, snapshot.orderNumber, cardProvider),
      );
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const constraint = (error as { constraint?: string }).constraint ?? '';
      // Two requests with one key raced: the loser returns the winner's order.
      if (constraint === 'order_idempotency_idx' && valid.idempotencyKey) {
        const existing = await ctx.em.fork().findOne(Order, { idempotencyKey: valid.idempotencyKey });
        if (existing) return sameOrderOrConflict(existing, fingerprint);
      }
      if (constraint === 'order_channel_id_external_id_key') {
        throw new DomainError(
          ErrorCode.CONFLICT,
          `Channel ${valid.channelId} already has an order ${valid.externalId}`,
          {
            field: 'externalId',
          },
        );
      }
      // Two first orders of one new customer raced to create them: run again, it exists now.
      if (constraint === 'customer_email_idx' && attempt < 3) continue;
      throw error;
    }
  }
}

/**
 * The card gateway this order pays through, or null for `manual` (and channel) payment. Direct
 * orders pay by card when the hub has a gateway, unless they are invoiced (`paymentTerms`). A
 * `paymentMethod` where no card payment is taken is refused, saying what is allowed.
 */
function cardProviderFor(
  deps: PlaceOrderDeps,
  channel: { id: string; kind: string } | null,
  valid: ValidPlaceOrderInput,
): string | null {
  const method = valid.paymentMethod !== undefined;
  if (!deps.cardPayments) {
    if (method)
      throw badInput(
        'paymentMethod',
        'this hub takes no card payments (its payment provider is manual; card payments need STRIPE_SECRET_KEY): leave paymentMethod out',
      );
    return null;
  }
  if (channel && channel.kind !== 'direct') {
    if (method)
      throw badInput(
        'paymentMethod',
        `orders of ${channel.kind} channel ${channel.id} arrive paid on the channel: leave paymentMethod out (card payments are for direct channels)`,
      );
    return null;
  }
  if (valid.paymentTerms !== null) {
    if (method)
      throw badInput(
        'paymentMethod',
        'an order with paymentTerms is invoiced: send paymentMethod or paymentTerms, not both',
      );
    return null;
  }
  return deps.cardPayments.provider;
}

/** The validated input, hashed: what an idempotency key promises to stand for. */
function fingerprintOf(valid: ValidPlaceOrderInput): string {
  return createHash('sha256').update(JSON.stringify(valid)).digest('hex');
}

function sameOrderOrConflict(existing: Order, fingerprint: string | null): Order {
  if (existing.idempotencyFingerprint && fingerprint && existing.idempotencyFingerprint !== fingerprint) {
    throw new DomainError(
      ErrorCode.CONFLICT,
      'idempotencyKey was already used for a different order: send a new key for a new order',
      {
        field: 'idempotencyKey',
      },
    );
  }
  return existing;
}

async function placeInTransaction(
  tx: EntityManager,
  ctx: OperationContext,
  deps: PlaceOrderDeps,
  valid: ValidPlaceOrderInput,
  id: string,
  fingerprint: string | null,
  drawnNumber: string | null,
  cardProvider: string | null,
): Promise<Order> {
  const channel = await tx.findOne(Channel, { id: valid.channelId });
  checkChannel(channel, valid);
  const variants = await tx.find(Variant, { sku: { $in: valid.lines.map((l) => l.sku) } });
  const bySku = new Map(variants.map((v) => [v.sku, v]));
  const { subtotal, total } = priceOrder(valid, bySku);

  const customer = valid.customer ? await upsertCustomer(tx, valid.customer) : null;
  const number =
    channel.kind === 'direct'
      ? (drawnNumber ??
        `SY-${(await tx.getConnection().execute<{ n: string }[]>("select nextval('order_number_seq') as n", [], 'all', tx.getTransactionContext()))[0]!.n}`)
      : valid.externalId!;
  const order = tx.create(Order, {
    id,
    number,
    channel,
    externalId: valid.externalId ?? number,
    status: 'PENDING',
    source: channel.kind === 'direct' ? valid.source : 'marketplace',
    purchaseOrderNumber: valid.purchaseOrderNumber,
    paymentTerms: valid.paymentTerms,
    customer,
    email: valid.customer?.email ?? null,
    shippingAddress: valid.shippingAddress,
    billingAddress: valid.billingAddress ?? null,
    currency: valid.currency,
    subtotalAmount: subtotal,
    shippingAmount: valid.shippingAmount,
    taxAmount: valid.taxAmount,
    discountAmount: valid.discountAmount,
    totalAmount: total,
    holdReason: null,
    idempotencyKey: valid.idempotencyKey,
    idempotencyFingerprint: fingerprint,
    placedAt: new Date(),
  });
  const lines = valid.lines.map((l, position) => {
    const v = bySku.get(l.sku)!;
    return tx.create(OrderLine, {
      id: randomUUID(),
      order,
      position,
      variant: v,
      sku: v.sku,
      title: v.title,
      quantity: l.quantity,
      unitPriceAmount: v.priceAmount,
      lineTotalAmount: v.priceAmount * l.quantity,
    });
  });
  recordOrderEvent(tx, order, ctx.actor, 'placed', `placed on ${channel.id} (${order.source})`, {
    total,
    currency: valid.currency,
    lines: lines.length,
  });
  // Order and lines first: reservations reference the lines. This flush and the last one give
  // an order allocated here its VERSION_AFTER_PLACEMENT (order.entity.ts), which the
  // one-statement path writes directly: add a flush of the order and change that number too.
  await tx.flush();

  transitionOrder(tx, order, 'CONFIRMED', ctx.actor, 'valid: known SKUs, quantities, address and totals');
  const holds = holdReasons(
    { total, currency: valid.currency, shippingAddress: valid.shippingAddress, billingAddress: valid.billingAddress },
    deps.policy,
  );
  // A card payment is asked for even when a hold rule applies: the customer is at the checkout
  // now, and a reviewer releasing the order later finds the authorisation waiting.
  const card =
    cardProvider !== null && total > 0 ? openCardPayment(tx, order, cardProvider, valid.paymentMethod ?? null) : null;
  if (holds.length > 0) {
    putOnHold(tx, order, ctx.actor, joinHoldReasons(holds));
    await tx.flush();
    return order;
  }
  if (card) {
    // Nothing leaves before it is committed: the payments job authorises after this commits,
    // and the authorisation moves the order on to PAYMENT_AUTHORIZED and allocation.
    await tx.flush();
    return order;
  }

  const payment = await deps.payments.authorize({
    orderId: id,
    amount: total,
    currency: valid.currency,
    idempotencyKey: `order-${id}-authorize`,
  });
  await authorizeAndAllocate(
    tx,
    ctx,
    order,
    lines,
    {
      reason: `${payment.provider} authorised ${payment.amount} ${payment.currency}`,
      data: { provider: payment.provider, reference: payment.reference },
    },
    channel,
  );
  await tx.flush();
  return order;
}

export async function upsertCustomer(
  tx: EntityManager,
  c: NonNullable<ValidPlaceOrderInput['customer']>,
): Promise<Customer> {
  if (c.email) {
    const existing = await tx.findOne(Customer, { email: c.email });
    if (existing) {
      mergeKnownCustomer(existing, c);
      return existing;
    }
  }
  return tx.create(Customer, {
    id: randomUUID(),
    email: c.email,
    name: c.name,
    phone: c.phone,
    addresses: [],
    erasedAt: null,
  });
}
