import { z } from 'zod';

/*
 * What the mapper reads of a Shopify order, and nothing more: the payloads carry hundreds of
 * fields, and a schema of only the used ones keeps a platform addition from breaking ingestion
 * while a missing or mistyped used field fails with its path. Money is a decimal string (the
 * converter checks its digits); numeric REST ids are deliberately not read (they lost precision
 * above 2^53, see fixtures/shopify), the admin_graphql_api_id strings are.
 */

const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 timestamp');
const text = z.string().nullish();

const restMoneySet = z.object({ shop_money: z.object({ amount: z.string(), currency_code: z.string() }) });

export const restAddressSchema = z
  .object({
    name: text,
    first_name: text,
    last_name: text,
    company: text,
    address1: text,
    address2: text,
    city: text,
    province_code: text,
    zip: text,
    country_code: text,
    phone: text,
  })
  .nullish();

export const restRefundSchema = z.object({
  admin_graphql_api_id: z.string().min(1),
  created_at: timestamp,
  note: text,
  transactions: z
    .array(
      z.object({
        kind: z.string(),
        status: z.string().nullish(),
        amount: z.string(),
        currency: z.string().nullish(),
      }),
    )
    .default([]),
  refund_line_items: z.array(z.object({ subtotal_set: restMoneySet })).default([]),
});

export const restOrderSchema = z.object({
  admin_graphql_api_id: z.string().min(1),
  name: z.string().nullish(),
  created_at: timestamp,
  updated_at: timestamp,
  cancelled_at: timestamp.nullish(),
  cancel_reason: text,
  email: text,
  contact_email: text,
  phone: text,
  note: text,
  currency: z.string(),
  financial_status: text,
  total_price_set: restMoneySet,
  total_tax_set: restMoneySet.nullish(),
  total_discounts_set: restMoneySet.nullish(),
  total_shipping_price_set: restMoneySet.nullish(),
  total_outstanding: z.string().nullish(),
  customer: z.object({ first_name: text, last_name: text }).nullish(),
  shipping_address: restAddressSchema,
  billing_address: restAddressSchema,
  line_items: z.array(
    z.object({
      admin_graphql_api_id: z.string().min(1),
      sku: text,
      title: text,
      quantity: z.number().int().min(1),
      price_set: restMoneySet,
      variant_id: z.number().nullish(),
    }),
  ),
  refunds: z.array(restRefundSchema).default([]),
});
export type RestOrder = z.infer<typeof restOrderSchema>;
export type RestRefund = z.infer<typeof restRefundSchema>;
export type RestAddress = z.infer<typeof restAddressSchema>;

const moneyBag = z.object({ shopMoney: z.object({ amount: z.string(), currencyCode: z.string() }) });

export const nodeAddressSchema = z
  .object({
    name: text,
    company: text,
    address1: text,
    address2: text,
    city: text,
    provinceCode: text,
    zip: text,
    countryCodeV2: text,
    phone: text,
  })
  .nullish();

export const orderNodeSchema = z.object({
  id: z.string().min(1),
  name: z.string().nullish(),
  createdAt: timestamp,
  updatedAt: timestamp,
  cancelledAt: timestamp.nullish(),
  cancelReason: text,
  email: text,
  phone: text,
  note: text,
  currencyCode: z.string(),
  displayFinancialStatus: text,
  totalShippingPriceSet: moneyBag,
  totalTaxSet: moneyBag,
  totalDiscountsSet: moneyBag,
  totalPriceSet: moneyBag,
  totalReceivedSet: moneyBag,
  customer: z.object({ firstName: text, lastName: text }).nullish(),
  shippingAddress: nodeAddressSchema,
  billingAddress: nodeAddressSchema,
  lineItems: z.object({
    nodes: z.array(
      z.object({
        id: z.string().min(1),
        sku: text,
        title: text,
        quantity: z.number().int().min(1),
        originalUnitPriceSet: moneyBag,
        variant: z.object({ id: z.string(), inventoryItem: z.object({ id: z.string() }).nullish() }).nullish(),
      }),
    ),
  }),
  refunds: z.array(z.object({ id: z.string().min(1), createdAt: timestamp, note: text, totalRefundedSet: moneyBag })),
});
export type OrderNode = z.infer<typeof orderNodeSchema>;
export type NodeAddress = z.infer<typeof nodeAddressSchema>;
