import type { PostalAddress } from '../address.js';

/**
 * One platform order as every connector hands it to the hub: mapped at the edge by a pure
 * `*.mapper.ts`, ingested by one domain operation whatever brought it (webhook, pull, backfill).
 * Platform ids are strings (Shopify's exceed 2^53); money is integer minor units of `currency`.
 */
export interface ChannelOrder {
  /** The platform's order id as a string (Shopify: the GID `gid://shopify/Order/…`). */
  externalId: string;
  /** The platform's human order name/number ("#1001"), for search and display. */
  externalName: string | null;
  /**
   * When the platform last changed the order (UTC). Ingestion keeps the newest version only:
   * an order version not newer than the one held changes nothing.
   */
  updatedAt: Date;
  /** When the buyer placed it on the platform (UTC). */
  placedAt: Date;
  currency: string;
  email: string | null;
  customerName: string | null;
  /**
   * The platform's account of the buyer (eBay: the username), kept so that the platform's
   * account-deletion notice finds that buyer's orders. Personal data. Absent means none.
   */
  buyerAccount?: string | null;
  phone: string | null;
  /** Null when the platform sent none: the order is held ("missing address"). */
  shippingAddress: PostalAddress | null;
  billingAddress: PostalAddress | null;
  lines: ChannelOrderLine[];
  shippingAmount: number;
  taxAmount: number;
  discountAmount: number;
  /** The platform's total, in minor units, for a drift check against the hub's own pricing. */
  totalAmount: number;
  /** Marketplace orders arrive paid: the amount the channel captured (0 when not paid yet). */
  paidAmount: number;
  /** Set when the platform cancelled the order. */
  cancelledAt: Date | null;
  cancelReason: string | null;
  /** Refunds the platform recorded, each with its own platform id (ingested once each). */
  refunds: ChannelRefund[];
  note: string | null;
  /**
   * The platform ships the order from its own stock (Amazon AFN/FBA): the hub records it for
   * reporting and never sources it from ours (ingestion holds it before sourcing, for good).
   * Absent means false.
   */
  fulfilledByChannel?: boolean;
}

export interface ChannelOrderLine {
  /** The platform's line id (string). */
  externalLineId: string;
  /** Null when the platform line has no SKU: the order is held ("unknown SKU"). */
  sku: string | null;
  /** The platform's variant / inventory item id, for listing matching when SKUs differ. */
  externalVariantId: string | null;
  title: string | null;
  quantity: number;
  /** Price of one unit in minor units, before order-level discounts. */
  unitPriceAmount: number;
}

export interface ChannelRefund {
  externalRefundId: string;
  amount: number;
  createdAt: Date;
  note: string | null;
}
