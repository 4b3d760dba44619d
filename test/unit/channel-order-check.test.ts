import { describe, expect, it } from '@jest/globals';
import type { ChannelOrder } from '../../src/domain/channels/channel-order.js';
import { checkChannelOrder } from '../../src/domain/channels/ingest-channel-orders.js';
import { MAX_ORDER_TOTAL } from '../../src/domain/input-limits.js';

const order = (over: Partial<ChannelOrder> = {}): ChannelOrder => ({
  externalId: ' gid://shopify/Order/1 ',
  externalName: '#1',
  updatedAt: new Date('2026-12-01T10:00:00Z'),
  placedAt: new Date('2026-12-01T10:00:00Z'),
  currency: 'USD',
  email: 'Buyer@Example.com',
  customerName: null,
  phone: null,
  shippingAddress: null,
  billingAddress: null,
  lines: [{ externalLineId: 'l1', sku: 'A', externalVariantId: null, title: null, quantity: 1, unitPriceAmount: 100 }],
  shippingAmount: 0,
  taxAmount: 0,
  discountAmount: 0,
  totalAmount: 100,
  paidAmount: 100,
  cancelledAt: null,
  cancelReason: null,
  refunds: [],
  note: null,
  ...over,
});

const field = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return (error as { details: { field: string } }).details.field;
  }
  throw new Error('expected a refusal');
};

describe('checkChannelOrder', () => {
  it('trims the id, lower-cases a valid email and drops one the hub cannot keep', () => {
    expect(checkChannelOrder('o', order())).toMatchObject({
      externalId: 'gid://shopify/Order/1',
      email: 'buyer@example.com',
    });
    expect(checkChannelOrder('o', order({ email: 'not an email' })).email).toBeNull();
  });

  it('refuses what no column or limit can hold, naming the field', () => {
    expect(field(() => checkChannelOrder('o', order({ externalId: ' ' })))).toBe('o.externalId');
    expect(field(() => checkChannelOrder('o', order({ externalId: 'x'.repeat(129) })))).toBe('o.externalId');
    expect(field(() => checkChannelOrder('o', order({ updatedAt: new Date('nope') })))).toBe('o.updatedAt');
    expect(field(() => checkChannelOrder('o', order({ totalAmount: MAX_ORDER_TOTAL + 1 })))).toBe('o.totalAmount');
    expect(field(() => checkChannelOrder('o', order({ paidAmount: -1 })))).toBe('o.paidAmount');
    const line = order().lines[0]!;
    expect(field(() => checkChannelOrder('o', order({ lines: [{ ...line, quantity: 0 }] })))).toBe(
      'o.lines[0].quantity',
    );
    expect(field(() => checkChannelOrder('o', order({ lines: [{ ...line, unitPriceAmount: 1.5 }] })))).toBe(
      'o.lines[0].unitPriceAmount',
    );
    expect(field(() => checkChannelOrder('o', order({ lines: Array.from({ length: 251 }, () => line) })))).toBe(
      'o.lines',
    );
    expect(
      field(() =>
        checkChannelOrder(
          'o',
          order({ refunds: [{ externalRefundId: '', amount: 1, createdAt: new Date(), note: null }] }),
        ),
      ),
    ).toBe('o.refunds[0].externalRefundId');
  });
});
