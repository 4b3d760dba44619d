import type { ChannelRefund } from '../../domain/channels/channel-order.js';
import { DomainError } from '../../domain/errors.js';
import { PlatformError } from '../connector.js';
import { mapRestRefund } from './shopify-order.mapper.js';
import { restRefundSchema } from './shopify-order.schemas.js';

export interface ShopifyRefundDelivery {
  /** The order's GID, as ingestion keys orders (`gid://shopify/Order/<id>`). */
  externalOrderId: string;
  refund: ChannelRefund;
  /** The currency the refund's money is in (its transactions', else its lines'). */
  currency: string;
}

/**
 * A `refunds/create` webhook → the refund and the order it belongs to. Pure. The payload names
 * its order only by the numeric `order_id`, which exceeds 2^53 and loses digits in JSON.parse,
 * so the id is read from the raw body text instead.
 */
export function mapShopifyRefundWebhook(rawBody: string, payload: unknown): ShopifyRefundDelivery {
  const orderId = /"order_id"\s*:\s*"?(\d{1,30})"?/.exec(rawBody)?.[1];
  if (!orderId) throw new PlatformError('INVALID', 'Shopify refund does not name its order: order_id is missing');
  const parsed = restRefundSchema.safeParse(payload);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
      .join('; ');
    throw new PlatformError('INVALID', `Shopify refund does not match the expected shape: ${issues}`);
  }
  const r = parsed.data;
  const currency = (
    r.transactions.find((t) => t.currency)?.currency ??
    r.refund_line_items[0]?.subtotal_set?.shop_money.currency_code ??
    'XXX'
  ).toUpperCase();
  try {
    return {
      externalOrderId: `gid://shopify/Order/${orderId}`,
      refund: mapRestRefund(r, 'refund', currency),
      currency,
    };
  } catch (error) {
    if (error instanceof DomainError) throw new PlatformError('INVALID', `Shopify refund: ${error.message}`);
    throw error;
  }
}
