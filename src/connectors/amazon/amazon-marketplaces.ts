/**
 * Amazon marketplaces we know, each with its currency. An order whose payment is not authorised
 * yet (PENDING) carries no money at all, so its currency comes from its marketplace.
 * developer-docs.amazon.com/sp-api/docs/marketplace-ids
 */
export const MARKETPLACE_CURRENCIES: Readonly<Record<string, string>> = {
  ATVPDKIKX0DER: 'USD', // United States
  A2EUQ1WTGCTBG2: 'CAD', // Canada
  A1AM78C64UM0Y8: 'MXN', // Mexico
  A2Q3Y263D00KWC: 'BRL', // Brazil
  A1F83G8C2ARO7P: 'GBP', // United Kingdom
  A1PA6795UKMFR9: 'EUR', // Germany
  A13V1IB3VIYZZH: 'EUR', // France
  APJ6JRA9NG5V4: 'EUR', // Italy
  A1RKKUPIHCS9HS: 'EUR', // Spain
  A1805IZSGTT6HS: 'EUR', // Netherlands
  AMEN7PMS3EDWL: 'EUR', // Belgium
  A28R8C7NBKEWEA: 'EUR', // Ireland
  A2NODRKZP88ZB9: 'SEK', // Sweden
  A1C3SOZRARQ6R3: 'PLN', // Poland
  A33AVAJ2PDY3EV: 'TRY', // Turkey
  A2VIGQ35RCS4UG: 'AED', // United Arab Emirates
  A17E79C6D8DWNP: 'SAR', // Saudi Arabia
  ARBP9OOSHTCHU: 'EGP', // Egypt
  A21TJRUUN4KGV: 'INR', // India
  A1VC38T7YXB528: 'JPY', // Japan
  A39IBJ37TRP1C6: 'AUD', // Australia
  A19VAU5U5O7RUS: 'SGD', // Singapore
};
