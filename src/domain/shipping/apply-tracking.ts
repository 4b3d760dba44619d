import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import { Shipment } from '../fulfilment/shipment.entity.js';
import { markShipmentDelivered } from '../orders/lifecycle/mark-shipment-delivered.js';
import { markShipmentShipped } from '../orders/lifecycle/mark-shipment-shipped.js';
import type { CarrierTracker } from './carrier.js';
import { changeLabel } from './label-change.js';
import { ShippingLabel } from './shipping-label.entity.js';

/** Tracking statuses that mean the parcel has left the warehouse (carriers' words for it). */
const LEFT = new Set(['in_transit', 'out_for_delivery', 'available_for_pickup', 'delivered', 'return_to_sender']);

export interface TrackingOutcome {
  status: 'processed' | 'ignored';
  outcome: string;
}

/**
 * A carrier's tracker update, applied to the shipment whose label it tracks (found by tracker
 * id, else by tracking code among the provider's labels still in use):
 *
 * - every scan is stored once (carriers resend the whole history with each update);
 * - newer than what the label holds (the carrier's `updated_at`): the status is stored, and a
 *   change of status goes on the order's timeline;
 * - as old or older (a duplicate, a replay, an update overtaken by a later one): the status is
 *   left as it is and the delivery is `ignored`;
 *
 * then the shipment is brought to where the newest status says it is, through the lifecycle's
 * own use cases: a parcel that left is marked shipped (`markShipmentShipped`, which consumes its
 * stock, moves the order to PARTIALLY_SHIPPED or SHIPPED and, through the outbox, pushes the
 * tracking to the sales channel), a delivered one delivered (`markShipmentDelivered`: the order
 * becomes DELIVERED once every parcel has arrived). Each of those is its own transaction and
 * checks the shipment's status first, so a rerun after a crash between them completes the rest
 * and a replay changes nothing.
 */
export async function applyTrackerUpdate(
  ctx: OperationContext,
  provider: string,
  tracker: CarrierTracker,
): Promise<TrackingOutcome> {
  const em = ctx.em.fork();
  const label =
    (await em.findOne(ShippingLabel, { provider, trackerId: tracker.id, status: { $ne: 'voided' } })) ??
    (await em.findOne(ShippingLabel, {
      provider,
      trackingCode: tracker.trackingCode,
      status: { $in: ['purchased', 'voiding'] },
    }));
  if (!label) return { status: 'ignored', outcome: `no label of ours has tracking code ${tracker.trackingCode}` };

  // First, and whatever the update's age: a scan we hold is not stored twice, and a rerun after
  // a crash between the two steps still finds the status newer than the label's.
  if (tracker.scans.length > 0) await storeScans(ctx, label, tracker);
  const updatedAt = new Date(tracker.updatedAt);
  let stale = '';
  await changeLabel(ctx, label.id, (l, { record }) => {
    if (l.trackingUpdatedAt && l.trackingUpdatedAt.getTime() >= updatedAt.getTime()) {
      stale = `not newer than what we hold (${tracker.updatedAt} ≤ ${l.trackingUpdatedAt.toISOString()})`;
      return false;
    }
    const before = l.trackingStatus;
    Object.assign(l, {
      trackingStatus: tracker.status.slice(0, 32),
      trackingUpdatedAt: updatedAt,
      trackerId: l.trackerId ?? tracker.id,
      trackingUrl: l.trackingUrl ?? tracker.publicUrl,
    });
    if (before !== tracker.status) {
      const latest = tracker.scans.at(-1);
      record(
        'tracking_updated',
        `${l.carrier ?? tracker.carrier ?? 'carrier'} ${tracker.trackingCode}: ${tracker.status}${latest?.message ? ` (${latest.message})` : ''}`,
        { trackingCode: tracker.trackingCode, from: before, to: tracker.status, at: tracker.updatedAt },
      );
    }
    return true;
  });

  const moved = await converge(ctx, label.id);
  if (stale) return { status: 'ignored', outcome: `stale update of ${tracker.trackingCode}: ${stale}${moved}` };
  return { status: 'processed', outcome: `${tracker.trackingCode} ${tracker.status}${moved}` };
}

/** Every scan once: the unique index on (label, time, status, message) drops the ones we have. */
async function storeScans(ctx: OperationContext, label: ShippingLabel, tracker: CarrierTracker): Promise<void> {
  const rows = tracker.scans.map((s) => [
    label.shipment.id,
    label.id,
    s.status.slice(0, 32),
    s.statusDetail?.slice(0, 64) ?? null,
    s.message?.slice(0, 500) ?? null,
    s.occurredAt,
    s.city?.slice(0, 100) ?? null,
    s.region?.slice(0, 100) ?? null,
    s.postalCode?.slice(0, 20) ?? null,
    s.countryCode,
  ]);
  await ctx.em
    .fork()
    .getConnection()
    .execute(
      `insert into shipment_tracking_event
         (shipment_id, label_id, status, status_detail, message, occurred_at, city, region, postal_code, country_code)
       values ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
       on conflict do nothing`,
      rows.flat(),
    );
}

/**
 * Brings the shipment to where its label's newest tracking status says it is. Returns what it
 * did, for the delivery's outcome; a move the lifecycle refuses (the order is on hold, the
 * shipment was cancelled) is reported, not retried: the next update tries again.
 */
async function converge(ctx: OperationContext, labelId: string): Promise<string> {
  const em = ctx.em.fork();
  const label = await em.findOneOrFail(ShippingLabel, { id: labelId });
  const shipment = await em.findOneOrFail(Shipment, { id: label.shipment.id });
  const status = label.trackingStatus ?? '';
  const notes: string[] = [];
  try {
    if (LEFT.has(status) && shipment.status === 'created') {
      await markShipmentShipped(ctx, shipment.id, {
        carrier: label.carrier ?? label.provider,
        trackingNumber: label.trackingCode ?? '',
        trackingUrl: label.trackingUrl,
        service: label.service,
      });
      notes.push('shipment shipped');
    }
    if (status === 'delivered' && (shipment.status === 'shipped' || notes.length > 0)) {
      await markShipmentDelivered(ctx, shipment.id);
      notes.push('shipment delivered');
    }
  } catch (error) {
    // A concurrent change of the order: the queue's retry converges again.
    if (!(error instanceof DomainError) || error.code === ErrorCode.CONFLICT) throw error;
    notes.push(`shipment not moved: ${error.message}`);
  }
  return notes.length > 0 ? `; ${notes.join(', ')}` : '';
}
