import { setTimeout as sleep } from 'node:timers/promises';
import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import { changeOrder, claimOrder } from '../orders/lifecycle/order-change.js';
import { orderIdOf } from '../orders/lifecycle/order-of.js';
import { recordOrderEvent } from '../orders/order-transitions.js';
import { transitionLabel, type LabelStatus } from './label-status.js';
import { ShippingLabel } from './shipping-label.entity.js';

export interface LabelChangeTools {
  /** A timeline entry on the label's order (shipmentId and labelId are added to its data). */
  record(type: string, reason: string, data?: Record<string, unknown>): void;
  /** A move along the label's table (ILLEGAL_TRANSITION otherwise). */
  transition(to: LabelStatus): void;
}

class NoChange extends Error {}

/** Claims the order lost to a concurrent change are retried this many times. */
const CLAIM_TRIES = 5;

/**
 * One change of a label by a job or a webhook, in one transaction claimed on its order like any
 * order change (so a label and its shipment never move under a concurrent cancel or ship).
 * `change` reads the label as it is inside the claim and returns whether it changed anything;
 * when it did not, the transaction is rolled back (the order's version stays). A claim lost to a
 * concurrent change (CONFLICT) is retried: a job has no client to tell to reload.
 */
export async function changeLabel(
  ctx: OperationContext,
  labelId: string,
  change: (label: ShippingLabel, tools: LabelChangeTools) => boolean,
): Promise<{ changed: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      await changeOrder(ctx, async (tx) => {
        const found = await tx.findOneOrFail(ShippingLabel, { id: labelId });
        const { order } = await claimOrder(tx, ctx, await orderIdOf(tx, ctx, 'Shipment', found.shipment.id));
        // Read again after the claim: what the claim serialised against may have moved it.
        await tx.refresh(found);
        const tools: LabelChangeTools = {
          record: (type, reason, data = {}) =>
            recordOrderEvent(tx, order, ctx.actor, type, reason.slice(0, 1000), {
              shipmentId: found.shipment.id,
              labelId: found.id,
              ...data,
            }),
          transition: (to) => transitionLabel(found, to),
        };
        if (!change(found, tools)) throw new NoChange();
        await tx.flush();
      });
      return { changed: true };
    } catch (error) {
      if (error instanceof NoChange) return { changed: false };
      if (error instanceof DomainError && error.code === ErrorCode.CONFLICT && attempt < CLAIM_TRIES) {
        await sleep(20 * attempt * (0.5 + Math.random()));
        continue;
      }
      throw error;
    }
  }
}
