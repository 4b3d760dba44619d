import type { Principal } from '../auth/principal.js';
import type { SourcingPlan } from '../inventory/sourcing.js';
import { orderEventRecords, statusChangeRecord, type OutboxRecord } from './order-transitions.js';
import type { OrderStatus } from './order-status.js';
import type { PlacementRows } from './placement-write.js';

type Assignment = SourcingPlan['assignments'][number];

/**
 * The timeline rows and outbox messages of a placement written in one statement, built in the
 * order the general path records them: the order's messages before its stock messages
 * (placed, confirmed, paid) and after them (sourced, allocated). Shared by placeOrder's fast
 * path and channel ingestion's batches, so both write what the general path writes.
 */
export class PlacementTimeline {
  readonly events: PlacementRows['events'] = [];
  readonly outboxBefore: OutboxRecord[] = [];
  readonly outboxAfter: OutboxRecord[] = [];

  constructor(
    private readonly ref: { id: string; number: string; channelId: string },
    private readonly actor: Principal,
    private readonly at: string,
  ) {}

  /** One event (and its messages): `before` the stock messages, or `after` them. */
  record(
    part: 'before' | 'after',
    type: string,
    reason: string,
    data: Record<string, unknown> | null,
    move: { from: OrderStatus; to: OrderStatus } | null = null,
  ): void {
    const into = part === 'before' ? this.outboxBefore : this.outboxAfter;
    const change = move ? statusChangeRecord(this.ref, move.from, move.to, reason) : null;
    const { event, outbox } = orderEventRecords(this.ref, this.actor, type, reason, data, move);
    this.events.push({
      type: event.type,
      from_status: event.fromStatus,
      to_status: event.toStatus,
      actor_kind: event.actorKind,
      actor_id: event.actorId,
      reason: event.reason,
      data: event.data,
      created_at: this.at,
    });
    into.push(outbox);
    if (change) into.push(change);
  }

  /**
   * A plan that covers every line: `sourced` and PAYMENT_AUTHORIZED → ALLOCATED, as
   * allocateOrderStock records them. Returns the reservations in (variant, location) order,
   * the order in which the general path reserves (and the statement locks) them.
   */
  recordFullAllocation(plan: SourcingPlan): Assignment[] {
    const reservations = [...plan.assignments].sort(
      (a, b) => a.variantId.localeCompare(b.variantId) || a.locationId.localeCompare(b.locationId),
    );
    this.record(
      'after',
      'sourced',
      plan.explanation,
      {
        reservations: reservations.map((r) => ({ lineId: r.lineId, locationId: r.locationId, quantity: r.quantity })),
        shortfall: [],
      },
      null,
    );
    this.record('after', 'status_changed', plan.explanation, null, { from: 'PAYMENT_AUTHORIZED', to: 'ALLOCATED' });
    return reservations;
  }
}
