import { describe, expect, it } from '@jest/globals';
import type { Order, SearchOrdersResponse } from '@sp-api-sdk/orders-api-2026-01-01';
import { mapAmazonOrder } from '../../src/connectors/amazon/amazon-order.mapper.js';
import { PlatformError } from '../../src/connectors/connector.js';
import { amazonFixture } from '../support/fixtures.js';

/** The official searchOrders sandbox answer: one AFN (fulfilled by Amazon) order, shipped, in JPY. */
const EXAMPLE = amazonFixture<{ response: SearchOrdersResponse }>('searchOrders-2026-01-01.sandbox-200.json');
const official = (): Order => structuredClone(EXAMPLE.response.orders[0]!);

/** The official order as a merchant-fulfilled one in the given status (the example is AFN and shipped). */
function merchantOrder(status: string): Order {
  const o = official();
  o.fulfillment = { ...o.fulfillment!, fulfillmentStatus: status as never, fulfilledBy: 'MERCHANT' };
  return o;
}

/** What Amazon sends while the payment is not authorised: no money, no buyer, a partial address. */
function pendingOrder(): Order {
  const o = merchantOrder('PENDING');
  delete o.proceeds;
  delete o.buyer;
  o.recipient = { deliveryAddress: { city: 'Tokyo', postalCode: '150-0002', countryCode: 'JP' } as never };
  for (const item of o.orderItems) {
    delete item.proceeds;
    delete item.product.price;
  }
  return o;
}

describe('mapAmazonOrder on the official searchOrders example', () => {
  it('maps ids, times, buyer, address, lines and money (JPY has no minor digits)', () => {
    const co = mapAmazonOrder(official());
    expect(co).toMatchObject({
      externalId: '250-1234567-8901234',
      externalName: '250-1234567-8901234',
      updatedAt: new Date('2024-12-25T06:45:00Z'),
      placedAt: new Date('2024-12-25T02:30:00Z'),
      currency: 'JPY',
      email: 'buyer-email@marketplace.amazon.co.jp',
      customerName: 'John Smith',
      billingAddress: null,
      totalAmount: 19940,
      shippingAmount: 0,
      taxAmount: 0,
      discountAmount: 0,
      cancelledAt: null,
      refunds: [],
    });
    expect(co.shippingAddress).toMatchObject({
      name: 'John Smith',
      line1: '123 Business Park',
      line2: 'Suite 456',
      city: 'Tokyo',
      postalCode: '150-0002',
      countryCode: 'JP',
    });
    expect(co.lines).toEqual([
      {
        externalLineId: '25012345678901',
        sku: 'ECHO-DOT-4-JP-CHARCOAL',
        externalVariantId: 'B08C1W5N87',
        title: 'Echo Dot (第4世代) スマートスピーカー with Alexa チャコール',
        quantity: 1,
        unitPriceAmount: 5980,
      },
      {
        externalLineId: '25012345678902',
        sku: 'FIRE-TV-4K-MAX-JP',
        externalVariantId: 'B07PFFMP9P',
        title: 'Fire TV Stick 4K Max ストリーミングデバイス',
        quantity: 2,
        unitPriceAmount: 6980,
      },
    ]);
    // The lines add up to Amazon's grand total, so ingestion sees no price drift.
    expect(co.lines.reduce((s, l) => s + l.unitPriceAmount * l.quantity, 0)).toBe(co.totalAmount);
  });

  it('marks an Amazon-fulfilled (AFN) order fulfilledByChannel, so it never takes our stock', () => {
    expect(mapAmazonOrder(official()).fulfilledByChannel).toBe(true);
    expect(mapAmazonOrder(merchantOrder('UNSHIPPED')).fulfilledByChannel).toBe(false);
  });

  it('records an UNSHIPPED merchant order as paid in full: allocatable', () => {
    const co = mapAmazonOrder(merchantOrder('UNSHIPPED'));
    expect(co.paidAmount).toBe(19940);
    expect(co.cancelledAt).toBeNull();
  });

  it('records a PENDING order unpaid (held before sourcing until UNSHIPPED), its currency from the marketplace', () => {
    const co = mapAmazonOrder(pendingOrder());
    expect(co.paidAmount).toBe(0);
    expect(co.currency).toBe('JPY');
    expect(co.lines.map((l) => [l.sku, l.quantity, l.unitPriceAmount])).toEqual([
      ['ECHO-DOT-4-JP-CHARCOAL', 1, 0],
      ['FIRE-TV-4K-MAX-JP', 2, 0],
    ]);
    expect(co.shippingAddress).toBeNull();
    expect(co.email).toBeNull();
  });

  it('treats PENDING_AVAILABILITY (a pre-order) like PENDING', () => {
    const o = pendingOrder();
    o.fulfillment!.fulfillmentStatus = 'PENDING_AVAILABILITY';
    expect(mapAmazonOrder(o).paidAmount).toBe(0);
  });

  it('cancels a CANCELLED order at its last update, with the buyer-requested reason when given', () => {
    const o = merchantOrder('CANCELLED');
    o.orderItems[0]!.cancellation = { cancellationRequest: { requester: 'BUYER', cancelReason: 'Ordered by mistake' } };
    const co = mapAmazonOrder(o);
    expect(co.cancelledAt).toEqual(new Date('2024-12-25T06:45:00Z'));
    expect(co.cancelReason).toBe('Ordered by mistake');
    expect(co.paidAmount).toBe(0);
    expect(mapAmazonOrder(merchantOrder('CANCELLED')).cancelReason).toBe('cancelled on Amazon');
  });

  it('reads shipping, tax and discount from the proceeds breakdowns (a discount is negative there)', () => {
    const o = merchantOrder('UNSHIPPED');
    o.proceeds = {
      grandTotal: { amount: '20340', currencyCode: 'JPY' },
      breakdowns: [
        { type: 'ITEM', subtotal: { amount: '19940', currencyCode: 'JPY' } },
        { type: 'SHIPPING', subtotal: { amount: '500', currencyCode: 'JPY' } },
        { type: 'TAX', subtotal: { amount: '0', currencyCode: 'JPY' } },
        { type: 'DISCOUNT', subtotal: { amount: '-100', currencyCode: 'JPY' } },
      ],
    };
    const co = mapAmazonOrder(o);
    expect([co.shippingAmount, co.taxAmount, co.discountAmount, co.totalAmount]).toEqual([500, 0, 100, 20340]);
  });

  it('refuses an order without its status (FULFILLMENT not included) as INVALID', () => {
    const o = official();
    delete o.fulfillment;
    expect(() => mapAmazonOrder(o)).toThrow(PlatformError);
    expect(() => mapAmazonOrder(o)).toThrow(/FULFILLMENT/);
  });

  it('refuses money in another currency than the order as INVALID naming the field', () => {
    const o = official();
    o.orderItems[1]!.product.price!.unitPrice = { amount: '69.80', currencyCode: 'USD' };
    const error = (() => {
      try {
        mapAmazonOrder(o);
      } catch (e) {
        return e as PlatformError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.kind).toBe('INVALID');
    expect(error.message).toContain('orderItems.1.product.price.unitPrice');
  });
});
