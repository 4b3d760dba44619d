import type { AmazonCredentials } from './channel-credentials.js';

type AmazonRegion = AmazonCredentials['region'];

/**
 * The SP-API region serving each marketplace (developer-docs.amazon.com/sp-api/docs/sp-api-endpoints):
 * North America, Europe (with the Middle East and India) and the Far East. A seller's
 * authorisation is for one region, so a channel's marketplaces must all share it.
 */
export const MARKETPLACE_REGIONS: Readonly<Record<string, AmazonRegion>> = {
  ATVPDKIKX0DER: 'na', // United States
  A2EUQ1WTGCTBG2: 'na', // Canada
  A1AM78C64UM0Y8: 'na', // Mexico
  A2Q3Y263D00KWC: 'na', // Brazil
  A1F83G8C2ARO7P: 'eu', // United Kingdom
  A1PA6795UKMFR9: 'eu', // Germany
  A13V1IB3VIYZZH: 'eu', // France
  APJ6JRA9NG5V4: 'eu', // Italy
  A1RKKUPIHCS9HS: 'eu', // Spain
  A1805IZSGTT6HS: 'eu', // Netherlands
  AMEN7PMS3EDWL: 'eu', // Belgium
  A28R8C7NBKEWEA: 'eu', // Ireland
  A2NODRKZP88ZB9: 'eu', // Sweden
  A1C3SOZRARQ6R3: 'eu', // Poland
  A33AVAJ2PDY3EV: 'eu', // Turkey
  A2VIGQ35RCS4UG: 'eu', // United Arab Emirates
  A17E79C6D8DWNP: 'eu', // Saudi Arabia
  ARBP9OOSHTCHU: 'eu', // Egypt
  A21TJRUUN4KGV: 'eu', // India
  A1VC38T7YXB528: 'fe', // Japan
  A39IBJ37TRP1C6: 'fe', // Australia
  A19VAU5U5O7RUS: 'fe', // Singapore
};
