import { validateAddress, type PostalAddress } from '../../domain/address.js';
import type { ChannelOrder, ChannelOrderLine, ChannelRefund } from '../../domain/channels/channel-order.js';
import { DomainError } from '../../domain/errors.js';
import { currencyCode } from '../../domain/input-formats.js';
import { decimalToMinor } from '../../domain/money-decimal.js';
import { PlatformError } from '../connector.js';
import type { EbayAmount, EbayContact, EbayLineItem, EbayOrder } from './ebay-order.types.js';

/** eBay's payment states in which the buyer's money has been collected (OrderPaymentStatusEnum). */
const PAID_STATES = new Set(['PAID', 'PARTIALLY_REFUNDED', 'FULLY_REFUNDED']);

/**
 * One eBay order (Sell Fulfillment `Order`) as the hub's ChannelOrder. Pure. Money is decimal
 * strings in the order's currency (pricingSummary.total); discounts arrive negative and are kept
 * as positive amounts; the unit price is lineItemCost / quantity (lineItemCost is the unit price
 * times the quantity). An order without the fields every order has (id, dates, currency) or
 * with money that cannot be held exactly is INVALID; an incomplete address is null (the hub
 * holds the order rather than guessing).
 */
export function mapEbayOrder(order: EbayOrder): ChannelOrder {
  const orderId = order.orderId;
  if (!orderId) throw new PlatformError('INVALID', 'eBay order without orderId');
  try {
    return mapOrder(orderId, order);
  } catch (error) {
    if (error instanceof DomainError) throw new PlatformError('INVALID', `eBay order ${orderId}: ${error.message}`);
    throw error;
  }
}

function mapOrder(orderId: string, order: EbayOrder): ChannelOrder {
  const pricing = order.pricingSummary ?? {};
  const currency = currencyCode('pricingSummary.total.currency', pricing.total?.currency ?? '');
  const money = (field: string, amount: EbayAmount | undefined) => minor(field, amount, currency);
  const shipTo = order.fulfillmentStartInstructions?.[0]?.shippingStep?.shipTo;
  const billing = order.buyer?.buyerRegistrationAddress;
  const cancelled = order.cancelStatus?.cancelState === 'CANCELED';
  const refunds = (order.paymentSummary?.refunds ?? [])
    .filter((r) => r.refundStatus === 'REFUNDED' && r.refundId)
    .map((r, i): ChannelRefund => ({
      externalRefundId: r.refundId!,
      amount: money(`paymentSummary.refunds[${i}].amount`, r.amount),
      createdAt: date(`paymentSummary.refunds[${i}].refundDate`, r.refundDate ?? order.lastModifiedDate),
      note: null,
    }));
  const paid = (order.paymentSummary?.payments ?? [])
    .filter((p) => p.paymentStatus === 'PAID')
    .reduce((sum, p, i) => sum + money(`paymentSummary.payments[${i}].amount`, p.amount), 0);
  const total = money('pricingSummary.total', pricing.total);
  return {
    externalId: orderId,
    // Sellers and buyers see the order id itself ("12-34567-89012") in eBay's pages and emails.
    externalName: orderId,
    updatedAt: date('lastModifiedDate', order.lastModifiedDate),
    placedAt: date('creationDate', order.creationDate),
    currency,
    email: blank(shipTo?.email),
    customerName: blank(shipTo?.fullName) ?? blank(order.buyer?.username),
    buyerAccount: blank(order.buyer?.username),
    phone: blank(shipTo?.primaryPhone?.phoneNumber),
    shippingAddress: postal('shippingAddress', shipTo),
    billingAddress: postal('billingAddress', billing),
    lines: (order.lineItems ?? []).map((line, i) => mapLine(`lineItems[${i}]`, line, currency)),
    shippingAmount: money('pricingSummary.deliveryCost', pricing.deliveryCost),
    taxAmount: money('pricingSummary.tax', pricing.tax),
    // eBay documents discounts as negative amounts; their size is what the hub records.
    discountAmount:
      Math.abs(money('pricingSummary.priceDiscount', pricing.priceDiscount)) +
      Math.abs(money('pricingSummary.deliveryDiscount', pricing.deliveryDiscount)),
    totalAmount: total,
    // A paid order whose payment records are missing (getOrders may omit them) counts as paid in full.
    paidAmount: PAID_STATES.has(order.orderPaymentStatus ?? '') ? paid || total : paid,
    cancelledAt: cancelled
      ? date('cancelStatus.cancelledDate', order.cancelStatus?.cancelledDate ?? order.lastModifiedDate)
      : null,
    cancelReason: cancelled
      ? (blank(order.cancelStatus?.cancelRequests?.[0]?.cancelReason) ?? 'cancelled on eBay')
      : null,
    refunds,
    note: blank(order.buyerCheckoutNotes),
  };
}

function mapLine(field: string, line: EbayLineItem, currency: string): ChannelOrderLine {
  if (!line.lineItemId) throw new DomainError('BAD_USER_INPUT', `${field}.lineItemId: is required`, { field });
  const quantity = line.quantity ?? 0;
  if (!Number.isInteger(quantity) || quantity < 1)
    throw new DomainError('BAD_USER_INPUT', `${field}.quantity: must be a whole number of at least 1`, { field });
  const cost = minor(`${field}.lineItemCost`, line.lineItemCost, currency);
  return {
    externalLineId: line.lineItemId,
    sku: blank(line.sku),
    externalVariantId: blank(line.legacyVariationId) ?? blank(line.legacyItemId),
    title: blank(line.title),
    quantity,
    // Exact whenever eBay's cost is unit × quantity, as documented; a remainder would be a
    // fraction of a minor unit, which the total drift check then reports.
    unitPriceAmount: Math.round(cost / quantity),
  };
}

/** Minor units of an eBay amount in the order's currency; 0 when eBay left it out. Signed. */
function minor(field: string, amount: EbayAmount | undefined, currency: string): number {
  if (amount?.value === undefined) return 0;
  if (amount.currency && amount.currency.toUpperCase() !== currency)
    throw new DomainError('BAD_USER_INPUT', `${field}: is in ${amount.currency}, the order in ${currency}`, { field });
  return decimalToMinor(field, amount.value, currency, { allowNegative: true });
}

function date(field: string, value: string | undefined): Date {
  const at = value === undefined ? NaN : Date.parse(value);
  if (Number.isNaN(at)) throw new DomainError('BAD_USER_INPUT', `${field}: is not a date`, { field });
  return new Date(at);
}

function blank(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** An address the hub can ship to, or null when incomplete (same rule as Shopify's mapper). */
function postal(field: string, contact: EbayContact | undefined): PostalAddress | null {
  const a = contact?.contactAddress;
  if (!a || !blank(a.addressLine1) || !blank(a.city) || !blank(a.countryCode)) return null;
  try {
    const {
      latitude: _lat,
      longitude: _lng,
      ...valid
    } = validateAddress(field, {
      name: blank(contact.fullName),
      company: blank(contact.companyName),
      line1: a.addressLine1!,
      line2: blank(a.addressLine2),
      city: a.city!,
      region: blank(a.stateOrProvince),
      postalCode: blank(a.postalCode),
      countryCode: a.countryCode!,
      phone: blank(contact.primaryPhone?.phoneNumber),
    });
    return valid;
  } catch (error) {
    if (error instanceof DomainError) return null;
    throw error;
  }
}
