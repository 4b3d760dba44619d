import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlatformError } from '../../src/connectors/connector.js';
import type { ShopifyOrderNode } from '../../src/connectors/shopify/shopify-order-node.js';
import { mapShopifyOrderNode, mapShopifyWebhookOrder } from '../../src/connectors/shopify/shopify-order.mapper.js';
import { SHOPIFY_FIXTURES } from '../support/fixtures.js';

const FIXTURES = fileURLToPath(SHOPIFY_FIXTURES);
const orderFixtures = readdirSync(FIXTURES).filter((f) => /^orders-.*\.json$/.test(f));
const fixture = (file: string): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { response: Record<string, unknown> }).response;
const clone = <T>(v: T): T => structuredClone(v);

const bag = (amount: string, currencyCode = 'USD') => ({ shopMoney: { amount, currencyCode } });
const address = {
  name: 'Steve Shipper',
  company: 'Shipping Company',
  address1: '123 Shipping Street',
  address2: null,
  city: 'Shippington',
  provinceCode: 'KY',
  zip: '40003',
  countryCodeV2: 'US',
  phone: '555-555-SHIP',
};

/** The orders-create fixture as a pull would return it: a node built to the types of shopify-order-node.ts. */
function nodeOfCreateFixture(): ShopifyOrderNode {
  return {
    id: 'gid://shopify/Order/820982911946154508',
    name: '#9999',
    createdAt: '2022-01-01T00:00:00Z',
    updatedAt: '2022-01-01T00:00:00Z',
    cancelledAt: '2022-01-01T00:00:00Z',
    cancelReason: 'CUSTOMER',
    email: 'jon@example.com',
    phone: null,
    note: null,
    currencyCode: 'USD',
    displayFinancialStatus: 'VOIDED',
    displayFulfillmentStatus: 'UNFULFILLED',
    subtotalPriceSet: bag('404.95'),
    totalShippingPriceSet: bag('10.00'),
    totalTaxSet: bag('0.00'),
    totalDiscountsSet: bag('20.00'),
    totalPriceSet: bag('404.95'),
    totalReceivedSet: bag('0.00'),
    customer: { firstName: 'John', lastName: 'Smith' },
    shippingAddress: address,
    billingAddress: address,
    lineItems: {
      nodes: [
        ['487817672276298554', 'SKU2006-001', 'Aviator sunglasses', '89.99'],
        ['789012345678901234', 'LENS-PROTECT-2YR', 'Lens Protection Plan (2 Year)', '19.99'],
        ['890123456789012345', 'CASE-LEATHER-PREM', 'Premium Leather Case', '24.99'],
        ['976318377106520349', 'SKU2006-020', 'Mid-century lounger', '159.99'],
        ['315789986012684393', 'SKU2006-035', 'Coffee table', '119.99'],
      ].map(([id, sku, title, price]) => ({
        id: `gid://shopify/LineItem/${id}`,
        sku: sku!,
        title: title!,
        quantity: 1,
        originalUnitPriceSet: bag(price!),
        variant: null,
      })),
    },
    refunds: [],
  };
}

describe('mapShopifyWebhookOrder on every orders-* fixture, unchanged', () => {
  it('finds the fixtures', () => {
    expect(orderFixtures.length).toBeGreaterThanOrEqual(2);
  });

  it.each(orderFixtures)('%s', (file) => {
    const payload = fixture(file);
    const order = mapShopifyWebhookOrder(payload);
    // ids are the exact GID strings, never the rounded numbers
    expect(order.externalId).toBe(payload.admin_graphql_api_id);
    expect(order.externalId).toBe('gid://shopify/Order/820982911946154508');
    expect(String(payload.id)).not.toContain('820982911946154508');
    expect(order.externalName).toBe('#9999');
    expect(order.currency).toBe('USD');
    expect(order.updatedAt.toISOString()).toBe('2022-01-01T00:00:00.000Z');
    expect(order.placedAt.toISOString()).toBe('2022-01-01T00:00:00.000Z');
    expect(order.lines.map((l) => [l.externalLineId, l.sku, l.quantity, l.unitPriceAmount])).toEqual([
      ['gid://shopify/LineItem/487817672276298554', 'SKU2006-001', 1, 8999],
      ['gid://shopify/LineItem/789012345678901234', 'LENS-PROTECT-2YR', 1, 1999],
      ['gid://shopify/LineItem/890123456789012345', 'CASE-LEATHER-PREM', 1, 2499],
      ['gid://shopify/LineItem/976318377106520349', 'SKU2006-020', 1, 15999],
      ['gid://shopify/LineItem/315789986012684393', 'SKU2006-035', 1, 11999],
    ]);
    const lineSum = order.lines.reduce((s, l) => s + l.unitPriceAmount * l.quantity, 0);
    expect(lineSum).toBe(41495);
    expect([order.shippingAmount, order.taxAmount, order.discountAmount, order.totalAmount]).toEqual([
      1000, 0, 2000, 40495,
    ]);
    // the platform's total is lines + shipping + tax − discounts, as the hub computes it
    expect(lineSum + order.shippingAmount + order.taxAmount - order.discountAmount).toBe(order.totalAmount);
    expect(order.paidAmount).toBe(0); // financial_status voided
    expect(order.cancelledAt?.toISOString()).toBe('2022-01-01T00:00:00.000Z');
    expect(order.cancelReason).toBe('customer');
    expect(order.shippingAddress).toEqual({
      name: 'Steve Shipper',
      company: 'Shipping Company',
      line1: '123 Shipping Street',
      line2: null,
      city: 'Shippington',
      region: 'KY',
      postalCode: '40003',
      countryCode: 'US',
      phone: '555-555-SHIP',
    });
    expect(order.email).toBe('jon@example.com');
    expect(order.customerName).toBe('John Smith');
    expect(order.refunds).toEqual([]);
  });
});

describe('mapShopifyOrderNode', () => {
  it('maps the REST and the GraphQL shape of the same order to the same ChannelOrder', () => {
    for (const file of orderFixtures)
      expect(mapShopifyOrderNode(nodeOfCreateFixture())).toEqual(mapShopifyWebhookOrder(fixture(file)));
  });

  it('takes paid amounts from totalReceived, refunds from totalRefundedSet, variant GIDs', () => {
    const node = nodeOfCreateFixture();
    node.displayFinancialStatus = 'PARTIALLY_REFUNDED';
    node.totalReceivedSet = bag('404.95');
    node.cancelledAt = null;
    node.cancelReason = null;
    node.refunds = [
      {
        id: 'gid://shopify/Refund/1',
        createdAt: '2022-01-02T10:00:00Z',
        note: 'damaged',
        totalRefundedSet: bag('19.99'),
      },
    ];
    node.lineItems.nodes[0]!.variant = {
      id: 'gid://shopify/ProductVariant/9',
      inventoryItem: { id: 'gid://shopify/InventoryItem/9' },
    };
    const order = mapShopifyOrderNode(node);
    expect(order.paidAmount).toBe(40495);
    expect(order.cancelledAt).toBeNull();
    expect(order.refunds).toEqual([
      {
        externalRefundId: 'gid://shopify/Refund/1',
        amount: 1999,
        createdAt: new Date('2022-01-02T10:00:00Z'),
        note: 'damaged',
      },
    ]);
    expect(order.lines[0]!.externalVariantId).toBe('gid://shopify/ProductVariant/9');
  });

  it('maps a JPY and a KWD order per currency exponent', () => {
    const jpy = nodeOfCreateFixture();
    jpy.currencyCode = 'JPY';
    for (const key of [
      'subtotalPriceSet',
      'totalShippingPriceSet',
      'totalTaxSet',
      'totalDiscountsSet',
      'totalPriceSet',
      'totalReceivedSet',
    ] as const)
      jpy[key] = bag('0', 'JPY');
    jpy.totalPriceSet = bag('1500', 'JPY');
    jpy.lineItems.nodes = [{ ...jpy.lineItems.nodes[0]!, originalUnitPriceSet: bag('1500', 'JPY') }];
    expect(mapShopifyOrderNode(jpy)).toMatchObject({
      currency: 'JPY',
      totalAmount: 1500,
      lines: [{ unitPriceAmount: 1500 }],
    });
    const kwd = structuredClone(jpy);
    kwd.currencyCode = 'KWD';
    for (const key of [
      'subtotalPriceSet',
      'totalShippingPriceSet',
      'totalTaxSet',
      'totalDiscountsSet',
      'totalPriceSet',
      'totalReceivedSet',
    ] as const)
      kwd[key] = bag('0.000', 'KWD');
    kwd.totalPriceSet = bag('1.234', 'KWD');
    kwd.lineItems.nodes[0]!.originalUnitPriceSet = bag('1.234', 'KWD');
    expect(mapShopifyOrderNode(kwd)).toMatchObject({
      currency: 'KWD',
      totalAmount: 1234,
      lines: [{ unitPriceAmount: 1234 }],
    });
  });
});

describe('webhook details', () => {
  const base = () => clone(fixture(orderFixtures[0]!));

  it('sums a REST refund from its successful refund transactions, else its line subtotals', () => {
    const payload = base();
    payload.refunds = [
      {
        id: 1,
        admin_graphql_api_id: 'gid://shopify/Refund/509562969',
        created_at: '2022-01-03T12:00:00-05:00',
        note: 'it broke',
        transactions: [
          { kind: 'refund', status: 'success', amount: '41.94', currency: 'USD' },
          { kind: 'refund', status: 'failure', amount: '99.00', currency: 'USD' },
          { kind: 'refund', status: 'success', amount: '5.00', currency: 'USD' },
        ],
        refund_line_items: [{ subtotal_set: { shop_money: { amount: '1.00', currency_code: 'USD' } } }],
      },
      {
        id: 2,
        admin_graphql_api_id: 'gid://shopify/Refund/2',
        created_at: '2022-01-04T12:00:00Z',
        note: null,
        transactions: [],
        refund_line_items: [
          { subtotal_set: { shop_money: { amount: '19.99', currency_code: 'USD' } } },
          { subtotal_set: { shop_money: { amount: '24.99', currency_code: 'USD' } } },
        ],
      },
    ];
    expect(mapShopifyWebhookOrder(payload).refunds).toEqual([
      {
        externalRefundId: 'gid://shopify/Refund/509562969',
        amount: 4694,
        createdAt: new Date('2022-01-03T17:00:00Z'),
        note: 'it broke',
      },
      {
        externalRefundId: 'gid://shopify/Refund/2',
        amount: 4498,
        createdAt: new Date('2022-01-04T12:00:00Z'),
        note: null,
      },
    ]);
  });

  it('counts a paid order as paid in full, a partially paid one less what is outstanding', () => {
    const paid = base();
    paid.financial_status = 'paid';
    expect(mapShopifyWebhookOrder(paid).paidAmount).toBe(40495);
    const partly = base();
    partly.financial_status = 'partially_paid';
    partly.total_outstanding = '100.00';
    expect(mapShopifyWebhookOrder(partly).paidAmount).toBe(30495);
  });

  it('gives null for a missing or incomplete shipping address', () => {
    const none = base();
    delete none.shipping_address;
    expect(mapShopifyWebhookOrder(none).shippingAddress).toBeNull();
    const noCity = base();
    (noCity.shipping_address as Record<string, unknown>).city = '  ';
    expect(mapShopifyWebhookOrder(noCity).shippingAddress).toBeNull();
    const badCountry = base();
    (badCountry.shipping_address as Record<string, unknown>).country_code = 'XX';
    expect(mapShopifyWebhookOrder(badCountry).shippingAddress).toBeNull();
    expect(mapShopifyWebhookOrder(badCountry).billingAddress).not.toBeNull();
  });

  it('keeps a line without SKU (sku null) for ingestion to hold', () => {
    const payload = base();
    (payload.line_items as Record<string, unknown>[])[1]!.sku = '';
    expect(mapShopifyWebhookOrder(payload).lines[1]!.sku).toBeNull();
  });

  const invalid = (change: (p: Record<string, unknown>) => void): PlatformError => {
    const payload = base();
    change(payload);
    try {
      mapShopifyWebhookOrder(payload);
    } catch (error) {
      expect(error).toBeInstanceOf(PlatformError);
      return error as PlatformError;
    }
    throw new Error('expected INVALID');
  };

  it('refuses a payload that does not match, naming the field', () => {
    expect(invalid((p) => delete p.admin_graphql_api_id).message).toMatch(/admin_graphql_api_id/);
    expect(invalid((p) => (p.updated_at = 'yesterday')).message).toMatch(/updated_at/);
    expect(invalid((p) => ((p.line_items as Record<string, unknown>[])[2]!.quantity = '1')).message).toMatch(
      /line_items\.2\.quantity/,
    );
    expect(
      invalid((p) => ((p.total_price_set as { shop_money: { amount: string } }).shop_money.amount = '1e3')).message,
    ).toMatch(/total_price_set/);
    expect(
      invalid(
        (p) =>
          ((p.line_items as { price_set: { shop_money: { amount: string } } }[])[0]!.price_set.shop_money.amount =
            '89.999'),
      ).message,
    ).toMatch(/line_items\.0\.price_set/);
    expect(
      invalid((p) => ((p.total_tax_set as { shop_money: { currency_code: string } }).shop_money.currency_code = 'EUR'))
        .message,
    ).toMatch(/total_tax_set.*EUR/);
    expect(invalid((p) => (p.currency = 'ZZZ')).kind).toBe('INVALID');
    expect(() => mapShopifyWebhookOrder('not an order')).toThrow(PlatformError);
  });

  it('refuses a GraphQL node that does not match, naming the field', () => {
    const node = nodeOfCreateFixture() as unknown as Record<string, unknown>;
    delete node.lineItems;
    expect(() => mapShopifyOrderNode(node as unknown as ShopifyOrderNode)).toThrow(/lineItems/);
  });
});
