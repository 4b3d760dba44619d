import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { connectorFor } from '../../src/connectors/connector-registry.js';
import { EbayConnector } from '../../src/connectors/ebay/ebay.connector.js';
import { loadChannelCredentials } from '../../src/domain/channels/channel-secrets.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';

/** Connecting an eBay channel through the API: its grant validated, stored only as ciphertext. */
let t: TestHub;
let orm: Orm;
const key = randomBytes(32);

const CONNECT = 'mutation($input: ConnectChannelInput!) { connectChannel(input: $input) { id kind hasCredentials } }';
const grant = {
  clientId: 'Switchya-hub-PRD-0123456789-abcdef01',
  clientSecret: 'PRD-0123456789ab-cdef-0123-4567-89ab',
  refreshToken: 'v^1.1#i^1#r^1#p^3#f^0#t^Ul4xMF8xOjEyMzQ1Njc4OTA=',
  verificationToken: 'switchyard-verification-token_0123456789',
};

beforeAll(async () => {
  t = await startTestHub('api', { SWITCHYARD_ENCRYPTION_KEY: key.toString('base64') });
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
});
afterAll(async () => {
  await orm.close(true);
  await t.stop();
});

const connect = (input: Record<string, unknown>) => gql(t.base, CONNECT, { key: t.adminKey, variables: { input } });

describe('connectChannel with kind EBAY', () => {
  it('stores the eBay grant encrypted, with EBAY_US as the default marketplace, and yields an EbayConnector', async () => {
    const res = await connect({ kind: 'EBAY', name: 'eBay US', credentials: grant });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({ connectChannel: { id: 'ebay-us', kind: 'EBAY', hasCredentials: true } });
    const [row] = await sql<{ credentials_ciphertext: string }>(
      t.db.url,
      'select credentials_ciphertext from channel where id = $1',
      ['ebay-us'],
    );
    for (const secret of Object.values(grant)) expect(row!.credentials_ciphertext).not.toContain(secret);
    const stored = await loadChannelCredentials(orm.em.fork(), key, 'ebay-us');
    expect(stored).toEqual({ ...grant, marketplaceId: 'EBAY_US' });
    expect(connectorFor({ kind: 'ebay', endpoint: null, credentials: stored })).toBeInstanceOf(EbayConnector);
  });

  it('keeps a marketplace given in any case', async () => {
    const res = await connect({ kind: 'EBAY', name: 'eBay UK', credentials: { ...grant, marketplaceId: 'ebay_gb' } });
    expect(res.body.errors).toBeUndefined();
    expect(await loadChannelCredentials(orm.em.fork(), key, 'ebay-uk')).toMatchObject({ marketplaceId: 'EBAY_GB' });
  });

  it.each([
    [{ refreshToken: ' ' }, 'credentials.refreshToken', 'must not be empty'],
    [{ clientSecret: '' }, 'credentials.clientSecret', 'must not be empty'],
    [{ verificationToken: 'too-short' }, 'credentials.verificationToken', '32 to 80'],
    [
      { verificationToken: 'has spaces in it but is long enough to count' },
      'credentials.verificationToken',
      '32 to 80',
    ],
    [{ marketplaceId: 'AMAZON_US' }, 'credentials.marketplaceId', 'marketplace id'],
  ])('refuses %p: BAD_USER_INPUT on %s', async (patch, field, message) => {
    const res = await connect({ kind: 'EBAY', name: 'Bad eBay', credentials: { ...grant, ...patch } });
    expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ field });
    expect(res.body.errors![0]!.message).toContain(message);
  });

  it('refuses the Shopify connector on an eBay grant (the registry checks the pairing)', async () => {
    const stored = await loadChannelCredentials(orm.em.fork(), key, 'ebay-us');
    expect(() => connectorFor({ kind: 'shopify', endpoint: null, credentials: stored })).toThrow('another platform');
  });
});
