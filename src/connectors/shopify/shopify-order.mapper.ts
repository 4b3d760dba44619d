import type { z } from 'zod';
import { validateAddress, type PostalAddress } from '../../domain/address.js';
import type { ChannelOrder, ChannelOrderLine, ChannelRefund } from '../../domain/channels/channel-order.js';
import { DomainError } from '../../domain/errors.js';
import { currencyCode } from '../../domain/input-formats.js';
import { MAX_LINE_QUANTITY, MAX_UNIT_PRICE } from '../../domain/input-limits.js';
import { decimalToMinor } from '../../domain/money-decimal.js';
import { PlatformError } from '../connector.js';
import type { ShopifyOrderNode } from './shopify-order-node.js';
import {
  orderNodeSchema,
  restOrderSchema,
  type NodeAddress,
  type OrderNode,
  type RestAddress,
  type RestOrder,
  type RestRefund,
} from './shopify-order.schemas.js';

/*
 * Both Shopify shapes of an order — the GraphQL node a pull returns and the REST-shaped webhook
 * payload — map to the same ChannelOrder (tested on the fixtures). Anything that does not fit
 * fails with PlatformError INVALID naming the field: retrying would not make it fit.
 */

/** Financial statuses in which the buyer has paid (refunds are recorded on their own). */
const PAID = new Set(['paid', 'partially_paid', 'partially_refunded', 'refunded']);

/** A pulled GraphQL order node → the hub's channel order. Pure. */
export function mapShopifyOrderNode(node: ShopifyOrderNode): ChannelOrder {
  const parsed = parse(orderNodeSchema, node, 'order node');
  return mapping(parsed.id, () => mapNode(parsed));
}

/** An `orders/*` webhook payload (REST shape, see fixtures/shopify) → the hub's channel order. Pure. */
export function mapShopifyWebhookOrder(payload: unknown): ChannelOrder {
  const parsed = parse(restOrderSchema, payload, 'webhook order');
  return mapping(parsed.admin_graphql_api_id, () => mapRest(parsed));
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  throw new PlatformError('INVALID', `Shopify ${what} does not match the expected shape: ${issues}`);
}

/** Domain checks (money, currency) become INVALID with the order they were found in. */
function mapping(orderId: string, map: () => ChannelOrder): ChannelOrder {
  try {
    return map();
  } catch (error) {
    if (error instanceof DomainError) throw new PlatformError('INVALID', `Shopify order ${orderId}: ${error.message}`);
    throw error;
  }
}

interface Money {
  amount: string;
  currency: string;
}

/** One money converter for every amount; the amount must be in the shop's currency. */
function minor(field: string, money: Money | null | undefined, currency: string, max?: number): number {
  if (!money) return 0;
  if (money.currency.toUpperCase() !== currency) {
    throw new DomainError('BAD_USER_INPUT', `${field}: is in ${money.currency}, the order in ${currency}`, { field });
  }
  return decimalToMinor(field, money.amount, currency, max === undefined ? {} : { max });
}

const rest = (set: { shop_money: { amount: string; currency_code: string } } | null | undefined): Money | null =>
  set ? { amount: set.shop_money.amount, currency: set.shop_money.currency_code } : null;
const gql = (bag: { shopMoney: { amount: string; currencyCode: string } }): Money => ({
  amount: bag.shopMoney.amount,
  currency: bag.shopMoney.currencyCode,
});

function mapRest(o: RestOrder): ChannelOrder {
  const currency = currencyCode('currency', o.currency);
  const total = minor('total_price_set', rest(o.total_price_set), currency);
  const paid = PAID.has((o.financial_status ?? '').toLowerCase());
  // partially_paid: what is still outstanding was not received.
  const outstanding =
    o.total_outstanding && (o.financial_status ?? '').toLowerCase() === 'partially_paid'
      ? decimalToMinor('total_outstanding', o.total_outstanding, currency)
      : 0;
  return {
    externalId: o.admin_graphql_api_id,
    externalName: o.name ?? null,
    updatedAt: new Date(o.updated_at),
    placedAt: new Date(o.created_at),
    currency,
    email: blank(o.email) ?? blank(o.contact_email),
    customerName: fullName(o.customer?.first_name, o.customer?.last_name),
    phone: blank(o.phone),
    shippingAddress: restAddress('shipping_address', o.shipping_address),
    billingAddress: restAddress('billing_address', o.billing_address),
    lines: o.line_items.map((l, i): ChannelOrderLine => ({
      externalLineId: l.admin_graphql_api_id,
      sku: blank(l.sku),
      // REST numeric ids above 2^53 were rounded by JSON.parse: only an exact one makes a GID.
      externalVariantId:
        typeof l.variant_id === 'number' && Number.isSafeInteger(l.variant_id)
          ? `gid://shopify/ProductVariant/${l.variant_id}`
          : null,
      title: blank(l.title),
      quantity: lineQuantity(`line_items.${i}.quantity`, l.quantity),
      unitPriceAmount: minor(`line_items.${i}.price_set`, rest(l.price_set), currency, MAX_UNIT_PRICE),
    })),
    shippingAmount: minor('total_shipping_price_set', rest(o.total_shipping_price_set), currency),
    taxAmount: minor('total_tax_set', rest(o.total_tax_set), currency),
    discountAmount: minor('total_discounts_set', rest(o.total_discounts_set), currency),
    totalAmount: total,
    paidAmount: paid ? Math.max(0, total - outstanding) : 0,
    cancelledAt: o.cancelled_at ? new Date(o.cancelled_at) : null,
    cancelReason: blank(o.cancel_reason),
    refunds: o.refunds.map((r, i) => mapRestRefund(r, `refunds.${i}`, currency)),
    note: blank(o.note),
  };
}

function mapNode(n: OrderNode): ChannelOrder {
  const currency = currencyCode('currencyCode', n.currencyCode);
  const paid = PAID.has((n.displayFinancialStatus ?? '').toLowerCase());
  return {
    externalId: n.id,
    externalName: n.name ?? null,
    updatedAt: new Date(n.updatedAt),
    placedAt: new Date(n.createdAt),
    currency,
    email: blank(n.email),
    customerName: fullName(n.customer?.firstName, n.customer?.lastName),
    phone: blank(n.phone),
    shippingAddress: nodeAddress('shippingAddress', n.shippingAddress),
    billingAddress: nodeAddress('billingAddress', n.billingAddress),
    lines: n.lineItems.nodes.map((l, i): ChannelOrderLine => ({
      externalLineId: l.id,
      sku: blank(l.sku),
      externalVariantId: l.variant?.id ?? null,
      title: blank(l.title),
      quantity: lineQuantity(`lineItems.nodes.${i}.quantity`, l.quantity),
      unitPriceAmount: minor(
        `lineItems.nodes.${i}.originalUnitPriceSet`,
        gql(l.originalUnitPriceSet),
        currency,
        MAX_UNIT_PRICE,
      ),
    })),
    shippingAmount: minor('totalShippingPriceSet', gql(n.totalShippingPriceSet), currency),
    taxAmount: minor('totalTaxSet', gql(n.totalTaxSet), currency),
    discountAmount: minor('totalDiscountsSet', gql(n.totalDiscountsSet), currency),
    totalAmount: minor('totalPriceSet', gql(n.totalPriceSet), currency),
    paidAmount: paid ? minor('totalReceivedSet', gql(n.totalReceivedSet), currency) : 0,
    cancelledAt: n.cancelledAt ? new Date(n.cancelledAt) : null,
    cancelReason: blank(n.cancelReason)?.toLowerCase() ?? null,
    refunds: n.refunds.map((r, i) => ({
      externalRefundId: r.id,
      amount: minor(`refunds.${i}.totalRefundedSet`, gql(r.totalRefundedSet), currency),
      createdAt: new Date(r.createdAt),
      note: blank(r.note),
    })),
    note: blank(n.note),
  };
}

function lineQuantity(field: string, quantity: number): number {
  if (quantity > MAX_LINE_QUANTITY)
    throw new DomainError('BAD_USER_INPUT', `${field}: ${quantity} is above ${MAX_LINE_QUANTITY}`, { field });
  return quantity;
}

/**
 * One REST refund (inside an order payload, or the whole `refunds/create` payload) in the
 * order's currency. `field` prefixes the names in errors.
 */
export function mapRestRefund(r: RestRefund, field: string, currency: string): ChannelRefund {
  // The money that went back is the refund's successful refund transactions; a refund with
  // none (restock only, or a payload without transactions) counts its line subtotals.
  const transactions = r.transactions.filter(
    (t) => t.kind.toLowerCase() === 'refund' && (t.status ?? 'success').toLowerCase() === 'success',
  );
  const amount =
    transactions.length > 0
      ? transactions.reduce(
          (sum, t, j) =>
            sum +
            minor(
              `${field}.transactions.${j}.amount`,
              { amount: t.amount, currency: t.currency ?? currency },
              currency,
            ),
          0,
        )
      : r.refund_line_items.reduce(
          (sum, li, j) => sum + minor(`${field}.refund_line_items.${j}.subtotal_set`, rest(li.subtotal_set), currency),
          0,
        );
  return {
    externalRefundId: r.admin_graphql_api_id,
    amount,
    createdAt: new Date(r.created_at),
    note: blank(r.note),
  };
}

function blank(value: string | null | undefined): string | null {
  const v = value?.trim();
  return v ? v : null;
}

function fullName(first: string | null | undefined, last: string | null | undefined): string | null {
  return blank([first, last].filter((p) => p?.trim()).join(' '));
}

function restAddress(field: string, a: RestAddress): PostalAddress | null {
  if (!a) return null;
  return postal(field, {
    name: blank(a.name) ?? fullName(a.first_name, a.last_name),
    company: a.company,
    line1: a.address1,
    line2: a.address2,
    city: a.city,
    region: a.province_code,
    postalCode: a.zip,
    countryCode: a.country_code,
    phone: a.phone,
  });
}

function nodeAddress(field: string, a: NodeAddress): PostalAddress | null {
  if (!a) return null;
  return postal(field, {
    name: a.name,
    company: a.company,
    line1: a.address1,
    line2: a.address2,
    city: a.city,
    region: a.provinceCode,
    postalCode: a.zip,
    countryCode: a.countryCodeV2,
    phone: a.phone,
  });
}

type LooseAddress = { [K in keyof PostalAddress]?: string | null | undefined };

/**
 * An address the hub can ship to, or null: without a street, a city or a valid country code (or
 * with a field past the address limits) it is incomplete, and ingestion holds the order
 * ("missing shipping address") rather than guessing.
 */
function postal(field: string, a: LooseAddress): PostalAddress | null {
  if (!blank(a.line1) || !blank(a.city) || !blank(a.countryCode)) return null;
  try {
    const {
      latitude: _lat,
      longitude: _lng,
      ...valid
    } = validateAddress(field, {
      name: a.name ?? null,
      company: a.company ?? null,
      line1: a.line1!,
      line2: a.line2 ?? null,
      city: a.city!,
      region: a.region ?? null,
      postalCode: a.postalCode ?? null,
      countryCode: a.countryCode!,
      phone: a.phone ?? null,
    });
    return valid;
  } catch (error) {
    if (error instanceof DomainError) return null;
    throw error;
  }
}
