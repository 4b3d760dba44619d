import type { RestOrder, SimState } from './sim-state.js';

/**
 * The GraphQL `Order` view of a stored REST-shaped order, with the field names of
 * shopify-order-node.ts. Derived on every read, so a control-API update shows at once in both
 * the webhook body and the pull.
 */

type Json = Record<string, unknown>;

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const utc = (v: unknown): string | null => (v ? new Date(String(v)).toISOString() : null);

function moneyBag(set: unknown, fallbackCurrency: string): { shopMoney: { amount: string; currencyCode: string } } {
  const shop = (set as { shop_money?: { amount?: unknown; currency_code?: unknown } } | null)?.shop_money;
  return {
    shopMoney: {
      amount: shop?.amount === undefined ? '0.00' : String(shop.amount),
      currencyCode: shop?.currency_code ? String(shop.currency_code) : fallbackCurrency,
    },
  };
}

function address(a: unknown): Json | null {
  if (!a || typeof a !== 'object') return null;
  const r = a as Json;
  return {
    name: str(r.name),
    company: str(r.company),
    address1: str(r.address1),
    address2: str(r.address2),
    city: str(r.city),
    provinceCode: str(r.province_code),
    zip: str(r.zip),
    countryCodeV2: str(r.country_code),
    phone: str(r.phone),
  };
}

const FULFILMENT_STATUS: Record<string, string> = {
  fulfilled: 'FULFILLED',
  partial: 'PARTIALLY_FULFILLED',
  restocked: 'RESTOCKED',
};

const PAID = new Set(['paid', 'partially_refunded', 'refunded']);

export function orderView(state: SimState, order: RestOrder): Json {
  const currency = String(order.currency ?? 'USD');
  const customer = order.customer as Json | null | undefined;
  const financial = str(order.financial_status);
  const totalPrice = moneyBag(order.total_price_set, currency);
  return {
    id: order.admin_graphql_api_id,
    name: str(order.name),
    createdAt: utc(order.created_at),
    updatedAt: utc(order.updated_at),
    cancelledAt: utc(order.cancelled_at),
    cancelReason: order.cancel_reason ? String(order.cancel_reason).toUpperCase() : null,
    email: str(order.email),
    phone: str(order.phone),
    note: str(order.note),
    currencyCode: currency,
    displayFinancialStatus: financial ? financial.toUpperCase() : null,
    displayFulfillmentStatus: FULFILMENT_STATUS[String(order.fulfillment_status)] ?? 'UNFULFILLED',
    subtotalPriceSet: moneyBag(order.subtotal_price_set, currency),
    totalShippingPriceSet: moneyBag(order.total_shipping_price_set, currency),
    totalTaxSet: moneyBag(order.total_tax_set, currency),
    totalDiscountsSet: moneyBag(order.total_discounts_set, currency),
    totalPriceSet: totalPrice,
    // Shopify's totalReceived is what the buyer paid before refunds; REST has no such field.
    totalReceivedSet:
      financial && PAID.has(financial) ? totalPrice : { shopMoney: { amount: '0.00', currencyCode: currency } },
    customer: customer ? { firstName: str(customer.first_name), lastName: str(customer.last_name) } : null,
    shippingAddress: address(order.shipping_address),
    billingAddress: address(order.billing_address),
    lineItems: order.line_items.map((li) => {
      const variant =
        (li.variant_id !== null && li.variant_id !== undefined
          ? state.variants.get(`gid://shopify/ProductVariant/${li.variant_id}`)
          : undefined) ?? (li.sku ? state.variantBySku(li.sku) : undefined);
      return {
        id: li.admin_graphql_api_id,
        sku: li.sku,
        title: str(li.title) ?? '',
        quantity: li.quantity,
        originalUnitPriceSet: moneyBag(li.price_set, currency),
        variant: variant ? { id: variant.id, sku: variant.sku, title: variant.title, _variant: variant } : null,
      };
    }),
    refunds: ((order.refunds as Json[] | undefined) ?? []).map((r) => {
      const amount = ((r.transactions as Json[] | undefined) ?? [])
        .filter((t) => t.kind === undefined || t.kind === 'refund')
        .reduce((sum, t) => sum + Math.round(Number(t.amount ?? 0) * 100), 0);
      return {
        id: str(r.admin_graphql_api_id) ?? `gid://shopify/Refund/${String(r.id)}`,
        createdAt: utc(r.created_at),
        note: str(r.note),
        totalRefundedSet: { shopMoney: { amount: (amount / 100).toFixed(2), currencyCode: currency } },
      };
    }),
    fulfillmentOrders: state.fulfillmentOrdersOf(order.admin_graphql_api_id).map((fo) => ({
      id: fo.id,
      lineItems: fo.lines.map((l) => ({
        id: l.id,
        remainingQuantity: l.remainingQuantity,
        totalQuantity: l.totalQuantity,
        lineItem: { id: l.lineItemId },
      })),
    })),
    fulfillments: state.fulfillmentsOf(order.admin_graphql_api_id),
  };
}
