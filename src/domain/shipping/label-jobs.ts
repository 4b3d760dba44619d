import type { EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { changeLabel } from './label-change.js';
import { ShippingLabel } from './shipping-label.entity.js';

/**
 * A carrier error the label job could not get past. `final` (no retry left, or one that no
 * retry can fix): a purchase becomes `failed` with the reason on the label and the timeline
 * (asking again re-reads the carrier's shipment first, so nothing is bought twice); a void stays
 * `voiding` with the reason, for the sweeper or a retry of the job. Otherwise only the reason is
 * kept, so the API shows why the label is still waiting.
 */
export async function recordLabelError(
  ctx: OperationContext,
  labelId: string,
  message: string,
  final: boolean,
): Promise<void> {
  const reason = message.slice(0, 1000);
  await changeLabel(ctx, labelId, (l, { record, transition }) => {
    if (l.status !== 'pending' && l.status !== 'voiding') return false;
    if (final && l.status === 'pending') {
      transition('failed');
      l.lastError = reason;
      record('label_failed', reason, { rule: l.rule, considered: l.rates });
      return true;
    }
    if (l.lastError === reason) return false;
    l.lastError = reason;
    return true;
  });
}

/**
 * Labels waiting for a job that may have been lost with Redis: pending or voiding and untouched
 * for `olderThanMs`. The sweeper enqueues their job again; the job's checks make a duplicate a no-op.
 */
export async function labelsAwaitingJobs(
  em: EntityManager,
  olderThanMs: number,
  limit: number,
): Promise<{ shipmentId: string; action: 'buy' | 'void' }[]> {
  const rows = await em.find(
    ShippingLabel,
    { status: { $in: ['pending', 'voiding'] }, updatedAt: { $lt: new Date(Date.now() - olderThanMs) } },
    { orderBy: { updatedAt: 'asc' }, limit, fields: ['id', 'status', 'shipment'] },
  );
  return rows.map((r) => ({ shipmentId: r.shipment.id, action: r.status === 'pending' ? 'buy' : 'void' }));
}
