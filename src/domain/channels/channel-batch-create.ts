import { randomUUID } from 'node:crypto';
import type { OperationContext } from '../context.js';
import { availabilityKey, destinationOf, planSourcing, type CandidateLocation } from '../inventory/sourcing.js';
import { availableOf } from '../inventory/stock-level.entity.js';
import { isRaceLost } from '../orders/fast-placement.js';
import { recomputeTotals } from '../orders/lifecycle/order-totals.js';
import { checkOrderTotals } from '../orders/order-total-limit.js';
import { PlacementTimeline } from '../orders/placement-timeline.js';
import { reservationRows, writePlacements, type PlacementRows } from '../orders/placement-write.js';
import { hasIndependentStatements } from '../prepared-statement.js';
import { readChannelBatchSnapshot, type ChannelBatchSnapshot } from './channel-batch-snapshot.js';
import { matchChannelLines, type ListingSkuLookup, type MatchedLine } from './channel-line-match.js';
import type { ChannelOrder } from './channel-order.js';
import { channelPlacedEvent } from './channel-order-create.js';
import { paymentData } from './channel-order-effects.js';
import { ingestHoldReasons } from './channel-order-holds.js';
import type { HoldPolicy } from '../orders/hold-rules.js';

/**
 * The order version the general path (createChannelOrder) leaves a created and allocated order
 * at: inserted (1), then moved on and allocated in one more flush (2). The equality test
 * (channel-batch-create.test.ts) compares the two paths' rows, versions included.
 */
export const CHANNEL_VERSION_AFTER_CREATION = 2;

/**
 * A webhook storm's new orders written in one statement instead of a dozen round trips each.
 *
 * The common case of a first sighting — every line's SKU known, an address, the catalogue's
 * currency, paid, no hold rule, not cancelled, no refunds, and stock for every line at the
 * locations shipping for the channel — is planned in memory from one snapshot (stock taken by
 * earlier orders of the batch counted off as it goes) and written with placeOrder's one-statement
 * placement (placement-write.ts), which reserves under the same conditional update and fails
 * whole when stock was taken meanwhile. The rows are exactly those createChannelOrder writes.
 *
 * Outcomes must not depend on the path, so the batch keeps the orders' sequence where it
 * matters: an order left to the general path that takes no stock (held before sourcing, or
 * already cancelled) is passed over, but later orders of its customer are left too (it writes
 * the customer after the batch); an order that may take stock ends the batch, and it and every
 * later order go to the general path in turn.
 *
 * Returns the orders it created (external id → order id); every other order is left to the
 * general path, which also decides all of them when the statement loses a race twice (a
 * concurrent ingester or order took the stock, the order id or the customer's email first). So
 * this path only ever adds speed, never a different outcome.
 */
export async function createChannelOrdersAtOnce(
  ctx: OperationContext,
  deps: { policy: HoldPolicy; listingSkus?: ListingSkuLookup },
  channelId: string,
  orders: readonly ChannelOrder[],
): Promise<Map<string, string>> {
  if (orders.length === 0 || !(await hasIndependentStatements(ctx.em))) return new Map();
  const em = ctx.em.fork();
  const matchedAll = await matchChannelLines(
    em,
    channelId,
    orders.flatMap((co) => co.lines),
    deps.listingSkus,
  );
  const variantIds = [...new Set(matchedAll.flatMap((m) => (m.variant ? [m.variant.id] : [])))];
  const emails = [...new Set(orders.flatMap((co) => (co.email ? [co.email] : [])))];
  // A lost race (stock taken, a new customer's email or an order id stored meanwhile) is
  // planned once more from a fresh snapshot — parallel batches of one new customer's orders all
  // race to insert it — and only then left to the general path, one order at a time.
  for (let attempt = 1; attempt <= 2; attempt++) {
    const snapshot = await readChannelBatchSnapshot(em, channelId, variantIds, emails);
    const { placements, created } = planBatch(
      new BatchPlanner(ctx, deps.policy, channelId, snapshot),
      orders,
      matchedAll,
    );
    if (placements.length === 0) return created;
    try {
      await writePlacements(em, placements);
      return created;
    } catch (error) {
      if (!isRaceLost(error)) throw error;
    }
  }
  return new Map();
}

/** Each order planned in sequence: the placements to write, and the orders they create. */
function planBatch(
  planner: BatchPlanner,
  orders: readonly ChannelOrder[],
  matchedAll: MatchedLine[],
): { placements: PlacementRows[]; created: Map<string, string> } {
  let offset = 0;
  const placements: PlacementRows[] = [];
  const created = new Map<string, string>();
  /** Customers an order left to the general path names: it writes them after this batch, so no later order may. */
  const leftCustomers = new Set<string>();
  for (const co of orders) {
    const matched = matchedAll.slice(offset, (offset += co.lines.length));
    const planned = co.email && leftCustomers.has(co.email) ? 'left' : planner.plan(co, matched);
    // One that may take stock (a shortfall, a refund to apply) goes after every order before it
    // and before every one after it, as the general path would: the batch ends here.
    if (planned === 'stop') break;
    if (planned === 'left') {
      if (co.email) leftCustomers.add(co.email);
      continue;
    }
    placements.push(planned);
    created.set(co.externalId, planned.order.id as string);
  }
  return { placements, created };
}

/** Plans the batch's orders one after another against one snapshot, counting off what each takes. */
class BatchPlanner {
  private readonly at = new Date().toISOString();
  private readonly locations: CandidateLocation[];
  private readonly available: Map<string, number>;
  /** By email: the customer row each order points at, new ones named once for the statement. */
  private readonly customers = new Map<string, PlacementRows['customer']>();

  constructor(
    private readonly ctx: OperationContext,
    private readonly policy: HoldPolicy,
    private readonly channelId: string,
    snapshot: ChannelBatchSnapshot,
  ) {
    this.locations = snapshot.locations;
    const eligible = new Set(snapshot.locations.map((l) => l.id));
    this.available = new Map(
      snapshot.levels
        .filter((l) => eligible.has(l.locationId))
        .map((l) => [availabilityKey(l.variantId, l.locationId), availableOf(l)]),
    );
    for (const c of snapshot.customers)
      this.customers.set(c.email, { mode: 'update', id: c.id, email: c.email, name: c.name, phone: c.phone });
  }

  /**
   * The order's rows; or `left` for the general path when it takes no stock there (held before
   * sourcing, or seen first already cancelled); or `stop` when it may (a shortfall is sourced in
   * part, a refunded order is allocated first), or when only the general path can say what is wrong.
   */
  plan(co: ChannelOrder, matched: MatchedLine[]): PlacementRows | 'left' | 'stop' {
    if (co.cancelledAt || matched.some((m) => m.variant === null)) return 'left';
    if (co.refunds.length > 0 || co.lines.length === 0) return 'stop';
    const orderId = randomUUID();
    const number = co.externalId.length <= 64 ? co.externalId : co.externalId.slice(-64);
    const lines = matched.map(({ line, variant }, position) => ({
      id: randomUUID(),
      position,
      variant: variant!,
      title: (line.title ?? variant!.title).slice(0, 300),
      quantity: line.quantity,
      unitPriceAmount: line.unitPriceAmount,
      lineTotalAmount: 0,
      quantityCancelled: 0,
      externalLineId: line.externalLineId,
    }));
    const totals = {
      subtotalAmount: 0,
      shippingAmount: co.shippingAmount,
      taxAmount: co.taxAmount,
      discountAmount: co.discountAmount,
      totalAmount: 0,
    };
    recomputeTotals(totals, lines, { clampDiscount: true });
    try {
      checkOrderTotals('lines', totals.subtotalAmount, totals.totalAmount);
    } catch {
      return 'stop';
    }
    const facts = { totalAmount: totals.totalAmount, channel: { id: this.channelId } };
    if (ingestHoldReasons(facts, matched, co, this.policy).length > 0) return 'left';
    const plan = planSourcing(
      lines.map((l) => ({ lineId: l.id, variantId: l.variant.id, sku: l.variant.sku, quantity: l.quantity })),
      this.locations,
      this.available,
      destinationOf(co.shippingAddress),
    );
    if (plan.shortfall.length > 0) return 'stop';

    // createChannelOrder's timeline: placed, CONFIRMED, PAYMENT_AUTHORIZED (the channel's capture), then sourcing.
    const timeline = new PlacementTimeline({ id: orderId, number, channelId: this.channelId }, this.ctx.actor, this.at);
    const placed = channelPlacedEvent(this.channelId, co, totals.totalAmount, lines.length);
    timeline.record('before', 'placed', placed.reason, placed.data);
    timeline.record('before', 'status_changed', `received from channel ${this.channelId}`, null, {
      from: 'PENDING',
      to: 'CONFIRMED',
    });
    timeline.record(
      'before',
      'status_changed',
      `captured by channel ${this.channelId}: ${co.paidAmount} ${co.currency}`,
      paymentData(facts, co),
      { from: 'CONFIRMED', to: 'PAYMENT_AUTHORIZED' },
    );
    const reservations = timeline.recordFullAllocation(plan);

    // Planned: only now count off its stock and name its customer.
    for (const r of reservations) {
      const key = availabilityKey(r.variantId, r.locationId);
      this.available.set(key, (this.available.get(key) ?? 0) - r.quantity);
    }
    const customer = this.customerFor(co);
    return {
      at: this.at,
      actor: this.ctx.actor.id,
      customer: customer ?? { mode: 'none', id: null, email: null, name: null, phone: null },
      order: {
        id: orderId,
        number,
        channel_id: this.channelId,
        external_id: co.externalId,
        external_updated_at: co.updatedAt.toISOString(),
        external_name: co.externalName,
        channel_buyer: co.buyerAccount ?? null,
        note: co.note,
        status: 'ALLOCATED',
        source: 'marketplace',
        purchase_order_number: null,
        payment_terms: null,
        customer_id: customer?.id ?? null,
        email: co.email,
        shipping_address: co.shippingAddress,
        billing_address: co.billingAddress ?? null,
        currency: co.currency,
        subtotal_amount: totals.subtotalAmount,
        shipping_amount: totals.shippingAmount,
        tax_amount: totals.taxAmount,
        discount_amount: totals.discountAmount,
        total_amount: totals.totalAmount,
        hold_reason: null,
        held_from_status: null,
        idempotency_key: null,
        idempotency_fingerprint: null,
        version: CHANNEL_VERSION_AFTER_CREATION,
        placed_at: co.placedAt.toISOString(),
        created_at: this.at,
        updated_at: this.at,
      },
      lines: lines.map((l) => ({
        id: l.id,
        order_id: orderId,
        position: l.position,
        variant_id: l.variant.id,
        sku: l.variant.sku,
        title: l.title,
        quantity: l.quantity,
        unit_price_amount: l.unitPriceAmount,
        line_total_amount: l.lineTotalAmount,
        quantity_allocated: l.quantity,
        quantity_shipped: 0,
        quantity_cancelled: 0,
        external_line_id: l.externalLineId,
      })),
      reservations: reservationRows(reservations, this.at),
      events: timeline.events,
      outboxBefore: timeline.outboxBefore,
      outboxAfter: timeline.outboxAfter,
    };
  }

  /**
   * upsertCustomer's outcome for this order: a known customer's blank fields filled from it, or a
   * new customer. The first order naming a customer carries its row into the statement (insert,
   * or update of a known one); later ones point at it and fill its blanks in the same row.
   */
  private customerFor(co: ChannelOrder): PlacementRows['customer'] | null {
    if (!co.email) return null;
    const given = { name: co.customerName, phone: co.phone };
    const seen = this.customers.get(co.email);
    if (!seen) {
      const fresh = { mode: 'insert' as const, id: randomUUID(), email: co.email, ...given };
      this.customers.set(co.email, fresh);
      return fresh;
    }
    seen.name ??= given.name;
    seen.phone ??= given.phone;
    if (seen.mode === 'update' && !this.touched.has(seen.id!)) {
      this.touched.add(seen.id!);
      return seen;
    }
    return { mode: 'none', id: seen.id, email: seen.email, name: null, phone: null };
  }

  private readonly touched = new Set<string>();
}
