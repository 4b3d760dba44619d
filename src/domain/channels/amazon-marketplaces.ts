import type { AmazonCredentials } from './channel-credentials.js';

/** An Amazon marketplace: where it sells, in which currency, and the SP-API region serving it. */
export interface AmazonMarketplace {
  country: string;
  /** An order whose payment is not authorised yet (PENDING) carries no money: its currency comes from here. */
  currency: string;
  /** A seller's authorisation is for one region, so a channel's marketplaces must all share it. */
  region: AmazonCredentials['region'];
}

/**
 * The Amazon marketplaces the hub knows (developer-docs.amazon.com/sp-api/docs/marketplace-ids
 * and sp-api-endpoints): North America, Europe (with the Middle East and India) and the Far East.
 */
export const AMAZON_MARKETPLACES: Readonly<Record<string, AmazonMarketplace>> = {
  ATVPDKIKX0DER: { country: 'United States', currency: 'USD', region: 'na' },
  A2EUQ1WTGCTBG2: { country: 'Canada', currency: 'CAD', region: 'na' },
  A1AM78C64UM0Y8: { country: 'Mexico', currency: 'MXN', region: 'na' },
  A2Q3Y263D00KWC: { country: 'Brazil', currency: 'BRL', region: 'na' },
  A1F83G8C2ARO7P: { country: 'United Kingdom', currency: 'GBP', region: 'eu' },
  A1PA6795UKMFR9: { country: 'Germany', currency: 'EUR', region: 'eu' },
  A13V1IB3VIYZZH: { country: 'France', currency: 'EUR', region: 'eu' },
  APJ6JRA9NG5V4: { country: 'Italy', currency: 'EUR', region: 'eu' },
  A1RKKUPIHCS9HS: { country: 'Spain', currency: 'EUR', region: 'eu' },
  A1805IZSGTT6HS: { country: 'Netherlands', currency: 'EUR', region: 'eu' },
  AMEN7PMS3EDWL: { country: 'Belgium', currency: 'EUR', region: 'eu' },
  A28R8C7NBKEWEA: { country: 'Ireland', currency: 'EUR', region: 'eu' },
  A2NODRKZP88ZB9: { country: 'Sweden', currency: 'SEK', region: 'eu' },
  A1C3SOZRARQ6R3: { country: 'Poland', currency: 'PLN', region: 'eu' },
  A33AVAJ2PDY3EV: { country: 'Turkey', currency: 'TRY', region: 'eu' },
  A2VIGQ35RCS4UG: { country: 'United Arab Emirates', currency: 'AED', region: 'eu' },
  A17E79C6D8DWNP: { country: 'Saudi Arabia', currency: 'SAR', region: 'eu' },
  ARBP9OOSHTCHU: { country: 'Egypt', currency: 'EGP', region: 'eu' },
  A21TJRUUN4KGV: { country: 'India', currency: 'INR', region: 'eu' },
  A1VC38T7YXB528: { country: 'Japan', currency: 'JPY', region: 'fe' },
  A39IBJ37TRP1C6: { country: 'Australia', currency: 'AUD', region: 'fe' },
  A19VAU5U5O7RUS: { country: 'Singapore', currency: 'SGD', region: 'fe' },
};
