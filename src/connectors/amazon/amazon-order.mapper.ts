import type { Money, Order, OrderItem } from '@sp-api-sdk/orders-api-2026-01-01';
import { validateAddress, type PostalAddress } from '../../domain/address.js';
import type { ChannelOrder, ChannelOrderLine } from '../../domain/channels/channel-order.js';
import { DomainError } from '../../domain/errors.js';
import { currencyCode } from '../../domain/input-formats.js';
import { MAX_UNIT_PRICE } from '../../domain/input-limits.js';
import { decimalToMinor } from '../../domain/money-decimal.js';
import { PlatformError } from '../connector.js';
import { MARKETPLACE_CURRENCIES } from './amazon-marketplaces.js';

/*
 * An Orders v2026-01-01 order (searchOrders with BUYER, RECIPIENT, PROCEEDS, FULFILLMENT and
 * CANCELLATION included) → the hub's ChannelOrder. Pure; tested on the official example.
 *
 * Amazon's statuses reach our lifecycle through what ingestion already understands:
 * - PENDING / PENDING_AVAILABILITY: payment not authorised, so paidAmount 0. Ingestion records
 *   the order and holds it before sourcing ("not paid on channel … yet"); the UNSHIPPED version
 *   carries the payment and lifts that hold, and only then is stock allocated.
 * - CANCELLED: cancelledAt set, which cancels (and releases stock) through the lifecycle.
 * - fulfilledBy AMAZON (AFN/FBA): `fulfilledByChannel`, so ingestion records it for reporting and
 *   never sources it from our stock.
 */

/** The `includedData` a pull asks for: everything this mapper reads. */
export const MAPPED_INCLUDED_DATA = ['BUYER', 'RECIPIENT', 'PROCEEDS', 'FULFILLMENT', 'CANCELLATION'] as const;

const NOT_PAID_YET = new Set(['PENDING', 'PENDING_AVAILABILITY']);

export function mapAmazonOrder(order: Order): ChannelOrder {
  try {
    return mapOrder(order);
  } catch (error) {
    if (error instanceof DomainError)
      throw new PlatformError('INVALID', `Amazon order ${order.orderId}: ${error.message}`);
    throw error;
  }
}

function mapOrder(o: Order): ChannelOrder {
  if (!o.orderId || !Array.isArray(o.orderItems))
    throw new PlatformError('INVALID', 'Amazon order without orderId or orderItems');
  const status = o.fulfillment?.fulfillmentStatus;
  if (!status)
    throw new PlatformError('INVALID', `Amazon order ${o.orderId} came without its status: ask for FULFILLMENT`);
  const currency = orderCurrency(o);
  const amount: Amount = (field, money, max, allowNegative) => minor(field, money, currency, max, allowNegative);
  const lines = o.orderItems.map((item, i) => mapItem(item, i, amount));
  const breakdown = (type: string): Money[] => {
    const orderLevel = o.proceeds?.breakdowns?.filter((b) => b.type === type).map((b) => b.subtotal) ?? [];
    if (orderLevel.length) return orderLevel.filter((m): m is Money => m !== undefined);
    return o.orderItems
      .flatMap((item) => item.proceeds?.breakdowns?.filter((b) => b.type === type).map((b) => b.subtotal) ?? [])
      .filter((m): m is Money => m !== undefined);
  };
  const sum = (type: string): number =>
    breakdown(type).reduce((total, m, i) => total + Math.abs(amount(`proceeds.${type}[${i}]`, m, undefined, true)), 0);
  const subtotal = lines.reduce((s, l) => s + l.unitPriceAmount * l.quantity, 0);
  const shipping = sum('SHIPPING');
  const tax = sum('TAX');
  const discount = sum('DISCOUNT');
  const total = o.proceeds?.grandTotal
    ? amount('proceeds.grandTotal', o.proceeds.grandTotal)
    : subtotal + shipping + tax - discount;
  const cancelled = status === 'CANCELLED';
  const address = o.recipient?.deliveryAddress;
  return {
    externalId: o.orderId,
    externalName: o.orderId,
    updatedAt: time('lastUpdatedTime', o.lastUpdatedTime),
    placedAt: time('createdTime', o.createdTime),
    currency,
    email: blank(o.buyer?.buyerEmail),
    customerName: blank(o.buyer?.buyerName) ?? blank(address?.name),
    phone: blank(address?.phone),
    shippingAddress: address ? shippingAddress(address) : null,
    // Amazon shares no billing address with the seller.
    billingAddress: null,
    lines,
    shippingAmount: shipping,
    taxAmount: tax,
    discountAmount: discount,
    totalAmount: total,
    // Amazon collects the money itself once the payment is authorised; a cancelled order's is
    // returned to the buyer by Amazon.
    paidAmount: NOT_PAID_YET.has(status) || cancelled ? 0 : total,
    cancelledAt: cancelled ? time('lastUpdatedTime', o.lastUpdatedTime) : null,
    cancelReason: cancelled ? cancelReasonOf(o) : null,
    // Amazon's refunds are read from the Finances API (not built yet), not from orders.
    refunds: [],
    note: null,
    fulfilledByChannel: o.fulfillment?.fulfilledBy === 'AMAZON',
  };
}

type Amount = (field: string, money: Money | undefined, max?: number, allowNegative?: boolean) => number;

function mapItem(item: OrderItem, i: number, amount: Amount): ChannelOrderLine {
  return {
    externalLineId: item.orderItemId,
    sku: blank(item.product?.sellerSku),
    externalVariantId: blank(item.product?.asin),
    title: blank(item.product?.title),
    quantity: item.quantityOrdered,
    // A PENDING order's items carry no price yet: 0 until the paid version arrives.
    unitPriceAmount: amount(`orderItems.${i}.product.price.unitPrice`, item.product?.price?.unitPrice, MAX_UNIT_PRICE),
  };
}

/** The order's money currency; from its marketplace when it carries no money yet (PENDING). */
function orderCurrency(o: Order): string {
  const fromMoney =
    o.proceeds?.grandTotal?.currencyCode ??
    o.orderItems.map((i) => i.product?.price?.unitPrice?.currencyCode).find((c) => c !== undefined);
  const code = fromMoney ?? MARKETPLACE_CURRENCIES[o.salesChannel?.marketplaceId ?? ''];
  if (!code)
    throw new PlatformError(
      'INVALID',
      `Amazon order ${o.orderId} carries no money and its marketplace ${o.salesChannel?.marketplaceId ?? '(none)'} is not one we know`,
    );
  return currencyCode('currencyCode', code);
}

function minor(field: string, money: Money | undefined, currency: string, max?: number, allowNegative = false): number {
  if (!money) return 0;
  if (money.currencyCode.toUpperCase() !== currency)
    throw new DomainError('BAD_USER_INPUT', `${field}: is in ${money.currencyCode}, the order in ${currency}`, {
      field,
    });
  return decimalToMinor(field, money.amount, currency, { ...(max === undefined ? {} : { max }), allowNegative });
}

function shippingAddress(a: NonNullable<NonNullable<Order['recipient']>['deliveryAddress']>): PostalAddress | null {
  const line1 = blank(a.addressLine1);
  const city = blank(a.city) ?? blank(a.municipality) ?? blank(a.districtOrCounty);
  const countryCode = blank(a.countryCode);
  // Amazon withholds parts of the address until the order is paid: none rather than a broken one.
  if (!line1 || !city || !countryCode) return null;
  return validateAddress('recipient.deliveryAddress', {
    name: blank(a.name),
    company: blank(a.companyName),
    line1,
    line2: [a.addressLine2, a.addressLine3].map(blank).filter(Boolean).join(', ') || null,
    city,
    region: blank(a.stateOrRegion),
    postalCode: blank(a.postalCode),
    countryCode: countryCode.toUpperCase(),
    phone: blank(a.phone),
  });
}

function cancelReasonOf(o: Order): string {
  const reasons = o.orderItems
    .map((i) => blank(i.cancellation?.cancellationRequest?.cancelReason))
    .filter((r): r is string => r !== null);
  return reasons[0] ?? 'cancelled on Amazon';
}

function time(field: string, value: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new PlatformError('INVALID', `Amazon ${field} is not a time: ${value}`);
  return at;
}

function blank(value: string | null | undefined): string | null {
  const text = value?.trim();
  return text ? text : null;
}
