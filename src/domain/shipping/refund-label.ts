import type { OperationContext } from '../context.js';
import { minorToDecimal } from '../money-decimal.js';
import { CarrierError, type CarrierProvider, type CarrierShipment } from './carrier.js';
import { changeLabel } from './label-change.js';
import { ShippingLabel } from './shipping-label.entity.js';

/** Refund states in which the carrier has taken the label back (or is doing so). */
const TAKEN_BACK = new Set(['submitted', 'refunded']);

/**
 * The `labels` job's void of one `voiding` label, safe to repeat: the carrier's shipment is read
 * first, and decides. Nothing bought on it (a failed purchase confirmed as such) → `voided` with
 * nothing to refund; a refund already submitted or done (an earlier run's answer was lost) →
 * `voided`; rejected (the parcel was already scanned) → back to `purchased` with the reason;
 * otherwise the refund is asked for once and its answer (or, if that is lost, the next re-read)
 * decides the same way.
 */
export async function refundLabel(ctx: OperationContext, carrier: CarrierProvider, labelId: string): Promise<string> {
  const label = await ctx.em.fork().findOne(ShippingLabel, { id: labelId });
  if (!label) return 'no such label';
  if (label.status !== 'voiding') return `already ${label.status}`;
  if (!label.providerShipmentId) return settle(ctx, label.id, null, 'no carrier shipment was ever made');
  let truth = await carrier.retrieveShipment(label.providerShipmentId);
  if (!truth.label || truth.refundStatus) return settle(ctx, label.id, truth, null);
  try {
    truth = await carrier.refund(label.providerShipmentId);
  } catch (error) {
    if (!(error instanceof CarrierError)) throw error;
    const now = await carrier.retrieveShipment(label.providerShipmentId);
    if (now.refundStatus) return settle(ctx, label.id, now, null);
    if (error.kind !== 'INVALID') throw error;
    return settle(ctx, label.id, now, `the carrier refused the refund: ${error.message}`);
  }
  return settle(ctx, label.id, truth, null);
}

async function settle(
  ctx: OperationContext,
  labelId: string,
  truth: CarrierShipment | null,
  refusal: string | null,
): Promise<string> {
  const bought = truth?.label ?? null;
  const voided = !bought || TAKEN_BACK.has(truth?.refundStatus ?? '');
  const outcome = !bought
    ? 'voided: nothing had been bought'
    : voided
      ? `voided: refund ${truth!.refundStatus} for ${minorToDecimal(bought.amount, bought.currency)} ${bought.currency}`
      : `void refused: ${refusal ?? `the carrier ${truth!.refundStatus ?? 'did not take'} the refund`}`;
  await changeLabel(ctx, labelId, (l, { record, transition }) => {
    if (l.status !== 'voiding') return false;
    if (voided) {
      transition('voided');
      l.voidedAt = new Date();
      record('label_voided', bought ? `${bought.carrier} ${bought.trackingCode} ${outcome}` : outcome, {
        refundStatus: truth?.refundStatus ?? null,
        ...(bought ? { refund: bought.amount, refundCurrency: bought.currency } : {}),
      });
    } else {
      transition('purchased');
      // A label whose purchase was never confirmed (voided from failed) gets its facts now.
      Object.assign(l, {
        rateId: bought!.rateId,
        carrier: bought!.carrier,
        service: bought!.service,
        costAmount: bought!.amount,
        currency: bought!.currency,
        trackingCode: bought!.trackingCode,
        trackingUrl: bought!.trackingUrl,
        labelUrl: bought!.labelUrl,
        trackerId: bought!.trackerId,
        purchasedAt: l.purchasedAt ?? new Date(),
        lastError: outcome.slice(0, 1000),
      });
      record('label_void_refused', outcome, { refundStatus: truth?.refundStatus ?? null });
    }
    return true;
  });
  return outcome;
}
