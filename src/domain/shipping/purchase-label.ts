import { setTimeout as sleep } from 'node:timers/promises';
import type { OperationContext } from '../context.js';
import { DomainError } from '../errors.js';
import { Shipment } from '../fulfilment/shipment.entity.js';
import { minorToDecimal } from '../money-decimal.js';
import { Order } from '../orders/order.entity.js';
import { CarrierError, type CarrierProvider, type CarrierShipment, type PurchasedLabel } from './carrier.js';
import { labelPartsOf } from './label-parts.js';
import { changeLabel } from './label-change.js';
import { chooseRate, parseRule } from './rate-rules.js';
import { ShippingLabel } from './shipping-label.entity.js';

/** Buys tried in one job run before it hands over to the queue's backoff (each after a re-read). */
const BUY_TRIES = 3;

/**
 * The `labels` job's purchase of one pending label, safe to run any number of times, at once
 * or after a crash at any point:
 *
 * 1. the carrier's shipment: re-read if its id is stored, else created with our key as its
 *    reference and its id stored at once (an unbought carrier shipment costs nothing, so one
 *    made by a run that died before storing it is simply left behind);
 * 2. a label already on it was bought by an earlier run whose answer was lost: recorded, not
 *    bought again;
 * 3. otherwise the rule picks a rate, once (stored with why, and every rate considered, on the
 *    label and the order's timeline), and it is bought; a failed or cut-off buy is followed by
 *    a re-read, which decides: bought (recorded) or not (bought again, up to BUY_TRIES, then
 *    the error goes to the queue, which retries the job).
 *
 * A request the carrier can never accept (no rate fits the rule, an address it refuses) marks
 * the label `failed` with the reason; a new buyShippingLabel asks again under the same key.
 */
export async function purchaseLabel(ctx: OperationContext, carrier: CarrierProvider, labelId: string): Promise<string> {
  const em = ctx.em.fork();
  const label = await em.findOne(ShippingLabel, { id: labelId });
  if (!label) return 'no such label';
  if (label.status !== 'pending') return `already ${label.status}`;
  const shipment = await em.findOneOrFail(Shipment, { id: label.shipment.id });
  const order = await em.findOneOrFail(Order, { id: shipment.order.id });
  if (shipment.status !== 'created')
    return failLabel(ctx, label.id, `shipment ${shipment.id} is ${shipment.status} now: no label was bought`, null);

  let truth: CarrierShipment;
  if (label.providerShipmentId) {
    truth = await carrier.retrieveShipment(label.providerShipmentId);
  } else {
    let parts;
    try {
      parts = await labelPartsOf(em, order, shipment);
    } catch (error) {
      if (error instanceof DomainError) return failLabel(ctx, label.id, error.message, null);
      throw error;
    }
    try {
      truth = await carrier.createShipment({ reference: label.idempotencyKey, ...parts });
    } catch (error) {
      if (error instanceof CarrierError && error.kind === 'INVALID')
        return failLabel(ctx, label.id, `the carrier refused the shipment: ${error.message}`, null);
      throw error;
    }
    const stored = await changeLabel(ctx, label.id, (l) => {
      if (l.status !== 'pending' || l.providerShipmentId) return false;
      l.providerShipmentId = truth.id;
      l.rates = truth.rates;
      return true;
    });
    // Another run stored its own carrier shipment first: carry on with that one.
    if (!stored.changed) return purchaseLabel(ctx, carrier, labelId);
  }
  if (truth.label)
    return recordPurchase(ctx, label.id, truth.label, 'found already bought (an earlier answer was lost)');

  let rateId = label.rateId;
  if (!rateId || !truth.rates.some((r) => r.id === rateId)) {
    const choice = chooseRate(truth.rates, parseRule(label.rule));
    if (!choice.chosen) return failLabel(ctx, label.id, `no rate bought: ${choice.why}`, truth);
    const chosen = choice.chosen;
    rateId = chosen.id;
    await changeLabel(ctx, label.id, (l, { record }) => {
      if (l.status !== 'pending') return false;
      Object.assign(l, { rates: truth.rates, rateId: chosen.id, chosenBecause: `${l.rule}: ${choice.why}` });
      record('label_rate_chosen', `${l.rule}: ${choice.why}`, {
        rule: l.rule,
        chosen: chosen,
        considered: truth.rates,
      });
      return true;
    });
  }

  for (let attempt = 1; ; attempt++) {
    try {
      const bought = await carrier.buy(truth.id, rateId);
      if (bought.label) return recordPurchase(ctx, label.id, bought.label, null);
      throw new CarrierError('TRANSIENT', 'the carrier answered the buy without a label');
    } catch (error) {
      if (!(error instanceof CarrierError)) throw error;
      // Whatever the failure, the carrier's shipment says whether the label exists.
      const now = await carrier.retrieveShipment(truth.id);
      if (now.label)
        return recordPurchase(ctx, label.id, now.label, `bought (confirmed by a re-read after: ${error.message})`);
      if (error.kind === 'INVALID')
        return failLabel(ctx, label.id, `the carrier refused the purchase: ${error.message}`, now);
      if (error.kind === 'AUTH' || attempt >= BUY_TRIES) throw error;
      await sleep(100 * 2 ** attempt * (0.5 + Math.random()));
    }
  }
}

/** Records a bought label: its rate, cost, tracking code and URLs, on the label and the timeline. */
async function recordPurchase(ctx: OperationContext, labelId: string, bought: PurchasedLabel, note: string | null) {
  const cost = `${minorToDecimal(bought.amount, bought.currency)} ${bought.currency}`;
  const { changed } = await changeLabel(ctx, labelId, (l, { record, transition }) => {
    if (l.status !== 'pending') return false;
    transition('purchased');
    Object.assign(l, {
      rateId: bought.rateId,
      carrier: bought.carrier,
      service: bought.service,
      costAmount: bought.amount,
      currency: bought.currency,
      trackingCode: bought.trackingCode,
      trackingUrl: bought.trackingUrl,
      labelUrl: bought.labelUrl,
      trackerId: bought.trackerId,
      lastError: null,
      purchasedAt: new Date(),
    });
    record(
      'label_purchased',
      `${bought.carrier} ${bought.service} ${cost}, tracking ${bought.trackingCode}${note ? `; ${note}` : ''}`,
      {
        carrier: bought.carrier,
        service: bought.service,
        // Not `amount`: that would read as money moved on the order's payment.
        cost: bought.amount,
        costCurrency: bought.currency,
        trackingCode: bought.trackingCode,
        rateId: bought.rateId,
      },
    );
    return true;
  });
  return changed ? `purchased ${bought.carrier} ${bought.service} ${cost}` : 'already recorded';
}

/** Marks a pending label failed with the reason (nothing bought), on the label and the timeline. */
async function failLabel(ctx: OperationContext, labelId: string, reason: string, truth: CarrierShipment | null) {
  await changeLabel(ctx, labelId, (l, { record, transition }) => {
    if (l.status !== 'pending') return false;
    transition('failed');
    l.lastError = reason.slice(0, 1000);
    if (truth) l.rates = truth.rates;
    record('label_failed', reason, {
      rule: l.rule,
      considered: truth?.rates ?? [],
    });
    return true;
  });
  return `failed: ${reason}`;
}
