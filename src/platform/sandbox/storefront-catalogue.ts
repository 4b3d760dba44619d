/**
 * What the sandbox storefront sells and where its customers live: a small catalogue with the
 * weights and sizes labels are priced by, one US warehouse serving the direct channel, and
 * the cards its customers pay with (Stripe's test payment methods; one in six is declined, so
 * the sandbox also shows an order held for its payment).
 */

export interface StorefrontItem {
  sku: string;
  title: string;
  /** Minor units (cents). */
  priceAmount: number;
  weightGrams: number;
  lengthMm: number;
  widthMm: number;
  heightMm: number;
  /** The level the warehouse is topped up to. */
  stock: number;
}

export const STOREFRONT_ITEMS: readonly StorefrontItem[] = [
  {
    sku: 'STORE-MUG',
    title: 'Enamel camp mug',
    priceAmount: 1_800,
    weightGrams: 350,
    lengthMm: 120,
    widthMm: 100,
    heightMm: 95,
    stock: 40,
  },
  {
    sku: 'STORE-TOTE',
    title: 'Canvas tote bag',
    priceAmount: 2_400,
    weightGrams: 250,
    lengthMm: 400,
    widthMm: 350,
    heightMm: 20,
    stock: 30,
  },
  {
    sku: 'STORE-LAMP',
    title: 'Brass desk lamp',
    priceAmount: 6_900,
    weightGrams: 1_800,
    lengthMm: 300,
    widthMm: 200,
    heightMm: 200,
    stock: 12,
  },
];

export const STOREFRONT_LOCATION = {
  code: 'SANDBOX-DFW',
  name: 'Sandbox storefront warehouse Dallas',
  address: { line1: '100 Commerce St', city: 'Dallas', region: 'TX', postalCode: '75202', countryCode: 'US' },
  latitude: 32.7767,
  longitude: -96.797,
  priority: 10,
} as const;

export interface StorefrontCustomer {
  name: string;
  email: string;
  address: { line1: string; city: string; region: string; postalCode: string; countryCode: 'US' };
}

export const STOREFRONT_CUSTOMERS: readonly StorefrontCustomer[] = [
  {
    name: 'Avery Quinn',
    email: 'avery.quinn@example.com',
    address: { line1: '1 Main St', city: 'Austin', region: 'TX', postalCode: '78701', countryCode: 'US' },
  },
  {
    name: 'Jordan Lee',
    email: 'jordan.lee@example.com',
    address: { line1: '350 5th Ave', city: 'New York', region: 'NY', postalCode: '10118', countryCode: 'US' },
  },
  {
    name: 'Sam Rivera',
    email: 'sam.rivera@example.com',
    address: { line1: '1600 Pike Pl', city: 'Seattle', region: 'WA', postalCode: '98101', countryCode: 'US' },
  },
  {
    name: 'Riley Chen',
    email: 'riley.chen@example.com',
    address: { line1: '233 S Wacker Dr', city: 'Chicago', region: 'IL', postalCode: '60606', countryCode: 'US' },
  },
];

/** The cards customers pay with, in turn (Stripe's test payment methods). */
export const STOREFRONT_CARDS = [
  'pm_card_visa',
  'pm_card_mastercard',
  'pm_card_amex',
  'pm_card_visa_debit',
  'pm_card_chargeDeclined',
  'pm_card_visa',
] as const;
