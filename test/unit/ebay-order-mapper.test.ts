import { describe, expect, it } from '@jest/globals';
import { PlatformError } from '../../src/connectors/connector.js';
import { mapEbayOrder } from '../../src/connectors/ebay/ebay-order.mapper.js';
import type { EbayOrder } from '../../src/connectors/ebay/ebay-order.types.js';
import { ebayOrderFixture } from '../support/fixtures.js';

const paid = () => ebayOrderFixture<EbayOrder>('paid-two-lines-usd.json');
const cancelled = () => ebayOrderFixture<EbayOrder>('cancelled-refunded-gbp.json');

describe('mapEbayOrder: a Sell Fulfillment order as a ChannelOrder', () => {
  it('keeps the ids, dates, buyer and address of a paid order', () => {
    const order = mapEbayOrder(paid());
    expect(order).toMatchObject({
      externalId: '12-34567-89012',
      externalName: '12-34567-89012',
      updatedAt: new Date('2026-11-30T18:09:42.000Z'),
      placedAt: new Date('2026-11-30T18:04:11.000Z'),
      currency: 'USD',
      email: 'ada.7f3k@members.ebay.com',
      customerName: 'Ada Lovelace',
      phone: '5125550100',
      note: 'Please gift wrap',
      cancelledAt: null,
      refunds: [],
      billingAddress: null,
    });
    expect(order.shippingAddress).toMatchObject({
      name: 'Ada Lovelace',
      line1: '2 Elm St',
      line2: 'Apt 4',
      city: 'Austin',
      region: 'TX',
      postalCode: '78701',
      countryCode: 'US',
    });
  });

  it('turns decimal money into minor units, discounts as positive amounts, unit price from lineItemCost', () => {
    const order = mapEbayOrder(paid());
    expect(order.lines).toEqual([
      {
        externalLineId: '10051234567801',
        sku: 'MUG-1',
        externalVariantId: '600123456789',
        title: 'Enamel mug',
        quantity: 2,
        unitPriceAmount: 1250,
      },
      {
        externalLineId: '10051234567802',
        sku: 'TEE-M',
        externalVariantId: '295512345679',
        title: 'T-shirt, medium',
        quantity: 1,
        unitPriceAmount: 1850,
      },
    ]);
    expect(order).toMatchObject({
      shippingAmount: 500,
      taxAmount: 206,
      discountAmount: 450,
      totalAmount: 4606,
      paidAmount: 4606,
    });
  });

  it('reads a cancellation, its reason and only the refunds eBay completed', () => {
    const order = mapEbayOrder(cancelled());
    expect(order.cancelledAt).toEqual(new Date('2026-11-21T12:29:58.000Z'));
    expect(order.cancelReason).toBe('BUYER_ASKED_CANCEL');
    expect(order.refunds).toEqual([
      { externalRefundId: '5REF0000001', amount: 3000, createdAt: new Date('2026-11-21T12:31:00.000Z'), note: null },
    ]);
    expect(order.email).toBeNull();
    expect(order.lines[0]).toMatchObject({ sku: null, quantity: 3, unitPriceAmount: 1000 });
    expect(order.shippingAddress).toMatchObject({ city: 'Manchester', countryCode: 'GB', region: null });
  });

  it('leaves the address null when eBay sent an incomplete one (the hub holds the order)', () => {
    const raw = paid();
    delete raw.fulfillmentStartInstructions![0]!.shippingStep!.shipTo!.contactAddress!.city;
    expect(mapEbayOrder(raw).shippingAddress).toBeNull();
  });

  it('counts nothing as paid while eBay has not collected the money', () => {
    const raw = paid();
    raw.orderPaymentStatus = 'PENDING';
    raw.paymentSummary!.payments![0]!.paymentStatus = 'PENDING';
    expect(mapEbayOrder(raw).paidAmount).toBe(0);
  });

  it.each<[string, (o: EbayOrder) => void]>([
    ['no orderId', (o) => delete o.orderId],
    ['no lastModifiedDate', (o) => delete o.lastModifiedDate],
    ['a line in another currency', (o) => (o.lineItems![0]!.lineItemCost!.currency = 'EUR')],
    ['a price finer than a cent', (o) => (o.pricingSummary!.total!.value = '46.061')],
    ['a line without quantity', (o) => delete o.lineItems![1]!.quantity],
  ])('refuses an order with %s as INVALID', (_what, spoil) => {
    const raw = paid();
    spoil(raw);
    let error: unknown;
    try {
      mapEbayOrder(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as PlatformError).kind).toBe('INVALID');
  });
});
