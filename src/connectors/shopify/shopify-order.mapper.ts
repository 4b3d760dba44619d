import type { ChannelOrder } from '../../domain/channels/channel-order.js';
import type { ShopifyOrderNode } from './shopify-order-node.js';

/** A pulled GraphQL order node → the hub's channel order. Pure. */
export function mapShopifyOrderNode(_node: ShopifyOrderNode): ChannelOrder {
  throw new Error('mapShopifyOrderNode: not implemented yet');
}

/** An `orders/*` webhook payload (REST shape, see fixtures/shopify) → the hub's channel order. Pure. */
export function mapShopifyWebhookOrder(_payload: unknown): ChannelOrder {
  throw new Error('mapShopifyWebhookOrder: not implemented yet');
}
