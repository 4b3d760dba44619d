import type { ChannelKind } from '../channels/channel.entity.js';
import { badInput } from '../errors.js';
import { checkOrderTotals } from './order-total-limit.js';
import type { ValidPlaceOrderInput } from './place-order.input.js';

/** What placing an order needs to know of its channel. */
export interface ChannelFacts {
  id: string;
  kind: ChannelKind;
  enabled: boolean;
}

/** What placing an order needs to know of a variant. */
export interface VariantFacts {
  id: string;
  sku: string;
  title: string;
  priceAmount: number;
  currency: string;
  requiresShipping: boolean;
}

export interface OrderPrice {
  subtotal: number;
  total: number;
}

/** Refuses an order for a missing or disabled channel, or a channel order without its own id. */
export function checkChannel(
  channel: ChannelFacts | null,
  valid: ValidPlaceOrderInput,
): asserts channel is ChannelFacts {
  if (!channel) throw badInput('channelId', `no channel ${valid.channelId}`);
  if (!channel.enabled) throw badInput('channelId', `channel ${valid.channelId} is disabled`);
  if (channel.kind !== 'direct' && !valid.externalId)
    throw badInput('externalId', `is required for ${channel.kind} orders`);
}

/**
 * Prices an order from its variants and checks what only the catalogue can tell: every SKU is
 * known, priced in the order's currency, an address is there for goods to ship, and the totals
 * add up. Throws BAD_USER_INPUT naming the field; pure, so every placement path agrees.
 */
export function priceOrder(valid: ValidPlaceOrderInput, bySku: ReadonlyMap<string, VariantFacts>): OrderPrice {
  const unknown = valid.lines.map((l, i) => [l.sku, i] as const).filter(([sku]) => !bySku.has(sku));
  if (unknown.length > 0) {
    throw badInput(
      `lines[${unknown[0]![1]}].sku`,
      `unknown SKU${unknown.length > 1 ? 's' : ''} ${unknown.map(([s]) => s).join(', ')}`,
      {
        unknownSkus: unknown.map(([s]) => s),
      },
    );
  }
  valid.lines.forEach((l, i) => {
    const v = bySku.get(l.sku)!;
    if (v.currency !== valid.currency) {
      throw badInput(`lines[${i}].sku`, `${l.sku} is priced in ${v.currency}, the order in ${valid.currency}`);
    }
  });
  if (!valid.shippingAddress && valid.lines.some((l) => bySku.get(l.sku)!.requiresShipping)) {
    throw badInput('shippingAddress', 'is required: the order has goods to ship');
  }

  const subtotal = valid.lines.reduce((sum, l) => sum + bySku.get(l.sku)!.priceAmount * l.quantity, 0);
  const total = subtotal + valid.shippingAmount + valid.taxAmount - valid.discountAmount;
  checkOrderTotals('lines', subtotal, total);
  if (total < 0)
    throw badInput(
      'discountAmount',
      `exceeds the order's value (${subtotal + valid.shippingAmount + valid.taxAmount})`,
    );
  if (valid.expectedTotalAmount !== null && valid.expectedTotalAmount !== total) {
    throw badInput(
      'expectedTotalAmount',
      `totals are inconsistent: lines ${subtotal} + shipping ${valid.shippingAmount} + tax ${valid.taxAmount} − discounts ${valid.discountAmount} = ${total}, not ${valid.expectedTotalAmount}`,
      { computedTotalAmount: total },
    );
  }
  return { subtotal, total };
}
