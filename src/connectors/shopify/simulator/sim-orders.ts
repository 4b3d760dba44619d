import type { RestOrder, SimState } from './sim-state.js';

/** A short description of an order for tests and the sandbox; expanded into Shopify's REST shape. */
export interface OrderSpec {
  lines: { sku: string; quantity: number; price: string; title?: string }[];
  email?: string;
  currency?: string;
  name?: string;
  shippingAddress?: Record<string, unknown> | null;
  financialStatus?: string;
  note?: string | null;
}

const DEFAULT_ADDRESS = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  name: 'Ada Lovelace',
  company: null,
  address1: '12 Analytical Row',
  address2: null,
  city: 'London',
  zip: 'N1 9GU',
  province: null,
  province_code: null,
  country: 'United Kingdom',
  country_code: 'GB',
  phone: null,
};

function moneySet(amount: string, currency: string) {
  return {
    shop_money: { amount, currency_code: currency },
    presentment_money: { amount, currency_code: currency },
  };
}

/** Cents arithmetic on decimal strings with 2 places (enough for a simulator's generated orders). */
const cents = (s: string) => Math.round(Number(s) * 100);
const decimal = (c: number) => (c / 100).toFixed(2);

export function restOrderFromSpec(state: SimState, spec: OrderSpec): RestOrder {
  const currency = spec.currency ?? 'USD';
  const id = state.nextId();
  const now = state.isoNow();
  const lineItems = spec.lines.map((l) => {
    const variant = state.addVariant(l.sku, l.title);
    const lineId = state.nextId();
    return {
      id: lineId,
      admin_graphql_api_id: `gid://shopify/LineItem/${lineId}`,
      name: l.title ?? l.sku,
      title: l.title ?? l.sku,
      sku: l.sku,
      quantity: l.quantity,
      current_quantity: l.quantity,
      fulfillable_quantity: l.quantity,
      fulfillment_status: null,
      price: l.price,
      price_set: moneySet(l.price, currency),
      variant_id: Number(variant.id.split('/').pop()),
      requires_shipping: true,
      taxable: true,
      tax_lines: [],
      discount_allocations: [],
    };
  });
  const subtotal = spec.lines.reduce((s, l) => s + cents(l.price) * l.quantity, 0);
  const address = spec.shippingAddress === undefined ? DEFAULT_ADDRESS : spec.shippingAddress;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: spec.name ?? `#${id}`,
    email: spec.email ?? `buyer${id}@example.com`,
    phone: null,
    note: spec.note ?? null,
    currency,
    created_at: now,
    updated_at: now,
    processed_at: now,
    cancelled_at: null,
    cancel_reason: null,
    financial_status: spec.financialStatus ?? 'paid',
    fulfillment_status: null,
    subtotal_price: decimal(subtotal),
    subtotal_price_set: moneySet(decimal(subtotal), currency),
    total_price: decimal(subtotal),
    total_price_set: moneySet(decimal(subtotal), currency),
    total_tax: '0.00',
    total_tax_set: moneySet('0.00', currency),
    total_discounts: '0.00',
    total_discounts_set: moneySet('0.00', currency),
    total_shipping_price_set: moneySet('0.00', currency),
    customer: { first_name: 'Ada', last_name: 'Lovelace', email: spec.email ?? null },
    shipping_address: address,
    billing_address: address,
    line_items: lineItems,
    refunds: [],
    fulfillments: [],
    shipping_lines: [],
  };
}
