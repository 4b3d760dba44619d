import { randomUUID } from 'node:crypto';
import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { Shipment } from '../fulfilment/shipment.entity.js';
import { SHIPPABLE_STATUSES } from '../orders/lifecycle/create-shipment.js';
import { changeOrder, claimOrder, requireStatus } from '../orders/lifecycle/order-change.js';
import { orderIdOf } from '../orders/lifecycle/order-of.js';
import { OrderStock } from '../orders/lifecycle/order-stock.js';
import { shipmentDetail, type ShipmentDetail } from '../orders/lifecycle/shipment-detail.js';
import { recordOrderEvent } from '../orders/order-transitions.js';
import type { Order } from '../orders/order.entity.js';
import { transitionLabel } from './label-status.js';
import { labelPartsOf } from './label-parts.js';
import { ruleText, validRateRule, type RateRuleInput } from './rate-rules.js';
import { configuredRule } from './shipping-rules.service.js';
import { ShippingLabel } from './shipping-label.entity.js';

/** Which carrier integration buys labels; null when none is configured (EASYPOST_API_KEY unset). */
export interface ShippingDeps {
  carrierId: string | null;
}

export interface LabelResult {
  order: Order;
  shipment: ShipmentDetail;
  label: ShippingLabel;
}

/** The timeline event that asks the `labels` queue to buy (the outbox consumer enqueues on it). */
export const LABEL_REQUESTED = 'label_requested';
export const LABEL_VOID_REQUESTED = 'label_void_requested';

/** A shipment's live label (any but voided): at most one, by a partial unique index. */
export async function liveLabelOf(em: OperationContext['em'], shipmentId: string): Promise<ShippingLabel | null> {
  return em.findOne(ShippingLabel, { shipment: shipmentId, status: { $ne: 'voided' } });
}

/** Labels are bought for a parcel still being prepared: once it has left, it has its carrier. */
export function requireCreated(shipment: Shipment, operation: string): void {
  if (shipment.status === 'created') return;
  throw new DomainError(
    ErrorCode.ILLEGAL_TRANSITION,
    `Shipment ${shipment.id} is ${shipment.status.toUpperCase()}: ${operation} needs it to be CREATED (still being prepared)`,
    { shipmentId: shipment.id, current: shipment.status.toUpperCase(), operation, allowed: ['CREATED'] },
  );
}

/**
 * Asks for a shipment's label. In one transaction, claimed on the order: checks everything a
 * carrier would refuse that we can know (addresses, weights), stores the label as `pending` with
 * our idempotency key `shipment-<id>-label-<n>` and the rule to choose its rate by, and records
 * `label_requested`; the committed event reaches the `labels` queue through the outbox, whose job
 * buys it (nothing leaves the hub from inside a transaction). Asking again is idempotent: a label
 * pending, bought or being voided is returned as it is; a failed one is asked for again under
 * its key (re-reading the carrier's shipment first), with the new rule if one is given.
 */
export async function buyShippingLabel(
  ctx: OperationContext,
  deps: ShippingDeps,
  shipmentId: string,
  input: { rule?: RateRuleInput | null } = {},
): Promise<LabelResult> {
  if (!deps.carrierId)
    throw new DomainError(ErrorCode.UNAVAILABLE, 'No carrier is configured: set EASYPOST_API_KEY to buy labels');
  const asked = input.rule ? validRateRule('rule', input.rule) : null;
  return changeOrder(ctx, async (tx) => {
    const { order, lines } = await claimOrder(tx, ctx, await orderIdOf(tx, ctx, 'Shipment', shipmentId));
    const stock = await OrderStock.load(tx, order, lines);
    const shipment = stock.shipments.find((s) => s.id === shipmentId)!;
    const result = (label: ShippingLabel) => ({ order, shipment: shipmentDetail(stock, shipment, lines), label });
    const live = await liveLabelOf(tx, shipment.id);
    if (live && live.status !== 'failed') return result(live);
    requireCreated(shipment, 'buyShippingLabel');
    requireStatus(order, SHIPPABLE_STATUSES, 'buyShippingLabel');
    const parts = await labelPartsOf(tx, order, shipment);
    const { rule, source } = asked
      ? { rule: asked, source: 'the request' }
      : await configuredRule(tx, { locationId: shipment.locationId, channelId: order.channel.id });

    let label: ShippingLabel;
    if (live) {
      transitionLabel(live, 'pending');
      Object.assign(live, { rule: ruleText(rule), lastError: null });
      label = live;
    } else {
      const earlier = await tx.count(ShippingLabel, { shipment: shipment.id });
      label = tx.create(ShippingLabel, {
        id: randomUUID(),
        shipment,
        provider: deps.carrierId!,
        idempotencyKey: `shipment-${shipment.id}-label-${earlier + 1}`,
        status: 'pending',
        rule: ruleText(rule),
        providerShipmentId: null,
        rates: [],
        rateId: null,
        chosenBecause: null,
        carrier: null,
        service: null,
        costAmount: null,
        currency: null,
        trackingCode: null,
        trackingUrl: null,
        labelUrl: null,
        trackerId: null,
        trackingStatus: null,
        trackingUpdatedAt: null,
        lastError: null,
        purchasedAt: null,
        voidedAt: null,
      });
    }
    recordOrderEvent(
      tx,
      order,
      ctx.actor,
      LABEL_REQUESTED,
      `${live ? 'label asked for again' : 'label asked for'}: shipment from ${parts.locationCode}, rate by ${ruleText(rule)} (${source})`,
      {
        shipmentId: shipment.id,
        labelId: label.id,
        provider: label.provider,
        rule: ruleText(rule),
        retry: live !== null,
      },
    );
    await tx.flush();
    return result(label);
  });
}

/**
 * Asks for a shipment's label back (a void): the label becomes `voiding` and the `labels` queue
 * asks the carrier for the refund. Only for a parcel that has not left (CREATED, or CANCELLED with
 * the order). Idempotent: a label already voiding or voided is returned as it is. A label still
 * being bought cannot be voided yet (CONFLICT): the buy may be in flight.
 */
export async function voidShippingLabel(ctx: OperationContext, shipmentId: string): Promise<LabelResult> {
  return changeOrder(ctx, async (tx) => {
    const { order, lines } = await claimOrder(tx, ctx, await orderIdOf(tx, ctx, 'Shipment', shipmentId));
    const stock = await OrderStock.load(tx, order, lines);
    const shipment = stock.shipments.find((s) => s.id === shipmentId)!;
    const result = (label: ShippingLabel) => ({ order, shipment: shipmentDetail(stock, shipment, lines), label });
    const live = await liveLabelOf(tx, shipment.id);
    if (!live) {
      const last = await tx.findOne(ShippingLabel, { shipment: shipment.id }, { orderBy: { requestedAt: 'desc' } });
      if (last) return result(last);
      throw new DomainError(ErrorCode.NOT_FOUND, `Shipment ${shipment.id} has no label to void`, {
        entity: 'ShippingLabel',
        shipmentId: shipment.id,
      });
    }
    if (live.status === 'voiding') return result(live);
    if (live.status === 'pending')
      throw new DomainError(
        ErrorCode.CONFLICT,
        `The label of shipment ${shipment.id} is still being bought; void it once it is PURCHASED or FAILED`,
        { shipmentId: shipment.id, labelId: live.id, labelStatus: 'PENDING' },
      );
    if (shipment.status !== 'created' && shipment.status !== 'cancelled')
      throw new DomainError(
        ErrorCode.ILLEGAL_TRANSITION,
        `Shipment ${shipment.id} is ${shipment.status.toUpperCase()}: a label is voided only before the parcel leaves (CREATED or CANCELLED)`,
        {
          shipmentId: shipment.id,
          current: shipment.status.toUpperCase(),
          operation: 'voidShippingLabel',
          allowed: ['CREATED', 'CANCELLED'],
        },
      );
    transitionLabel(live, 'voiding');
    live.lastError = null;
    recordOrderEvent(
      tx,
      order,
      ctx.actor,
      LABEL_VOID_REQUESTED,
      live.trackingCode
        ? `void of label ${live.carrier} ${live.trackingCode} asked for`
        : 'void of a label never confirmed bought asked for',
      { shipmentId: shipment.id, labelId: live.id, provider: live.provider },
    );
    await tx.flush();
    return result(live);
  });
}
