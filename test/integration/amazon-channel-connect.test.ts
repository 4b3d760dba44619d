import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { AmazonConnector } from '../../src/connectors/amazon/amazon.connector.js';
import { connectorFor } from '../../src/connectors/connector-registry.js';
import { loadChannelCredentials } from '../../src/domain/channels/channel-secrets.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';

/** Connecting an Amazon channel through the API: the authorisation validated, stored only as ciphertext. */
let t: TestHub;
let orm: Orm;
const key = randomBytes(32);

const CONNECT = 'mutation($input: ConnectChannelInput!) { connectChannel(input: $input) { id kind hasCredentials } }';
const grant = {
  clientId: 'amzn1.application-oa2-client.0123456789abcdef0123456789abcdef',
  clientSecret: 'amzn1.oa2-cs.v1.0123456789abcdef0123456789abcdef0123456789abcdef',
  refreshToken: 'Atzr|IwEBIExampleRefreshTokenForTheSeller0123456789',
  sellerId: 'A2EXAMPLE1SELLER',
  marketplaceIds: ['ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2'],
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

describe('connectChannel with kind AMAZON', () => {
  it('stores the authorisation encrypted, derives the region from the marketplaces, and yields an AmazonConnector', async () => {
    const res = await connect({ kind: 'AMAZON', name: 'Amazon NA', credentials: grant });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({ connectChannel: { id: 'amazon-na', kind: 'AMAZON', hasCredentials: true } });
    const [row] = await sql<{ credentials_ciphertext: string }>(
      t.db.url,
      'select credentials_ciphertext from channel where id = $1',
      ['amazon-na'],
    );
    for (const secret of [grant.clientId, grant.clientSecret, grant.refreshToken, grant.sellerId])
      expect(row!.credentials_ciphertext).not.toContain(secret);
    const stored = await loadChannelCredentials(orm.em.fork(), key, 'amazon-na');
    expect(stored).toEqual({ ...grant, region: 'na' });
    expect(connectorFor({ kind: 'amazon', endpoint: null, credentials: stored })).toBeInstanceOf(AmazonConnector);
  });

  it('takes ids in any case, drops repeats, and accepts the matching region', async () => {
    const res = await connect({
      kind: 'AMAZON',
      name: 'Amazon EU',
      credentials: {
        ...grant,
        sellerId: 'a2example1seller',
        marketplaceIds: ['a1pa6795ukmfr9', 'A1F83G8C2ARO7P', 'A1PA6795UKMFR9'],
        region: 'EU',
      },
    });
    expect(res.body.errors).toBeUndefined();
    expect(await loadChannelCredentials(orm.em.fork(), key, 'amazon-eu')).toMatchObject({
      sellerId: 'A2EXAMPLE1SELLER',
      region: 'eu',
      marketplaceIds: ['A1PA6795UKMFR9', 'A1F83G8C2ARO7P'],
    });
  });

  it("keeps the SQS queue of the seller's ORDER_CHANGE subscription with the grant", async () => {
    const queue = 'https://sqs.us-east-1.amazonaws.com/123456789012/switchyard-orders';
    const res = await connect({
      kind: 'AMAZON',
      id: 'amazon-sqs',
      name: 'Amazon with notifications',
      credentials: { ...grant, notificationQueueUrl: queue },
    });
    expect(res.body.errors).toBeUndefined();
    expect(await loadChannelCredentials(orm.em.fork(), key, 'amazon-sqs')).toMatchObject({
      notificationQueueUrl: queue,
    });
  });

  it.each([
    [{ notificationQueueUrl: 'not a url' }, 'credentials.notificationQueueUrl', 'SQS queue URL'],
    [{ notificationQueueUrl: 'ftp://sqs.example.com/1/q' }, 'credentials.notificationQueueUrl', 'http(s)'],
    [{ notificationQueueUrl: 'https://sqs.example.com/' }, 'credentials.notificationQueueUrl', 'name the queue'],
    [{ sellerId: ' ' }, 'credentials.sellerId', 'must not be empty'],
    [{ sellerId: 'seller id!' }, 'credentials.sellerId', 'merchant token'],
    [{ refreshToken: '' }, 'credentials.refreshToken', 'must not be empty'],
    [{ marketplaceIds: [] }, 'credentials.marketplaceIds', '1 to 25'],
    [{ marketplaceIds: null }, 'credentials.marketplaceIds', '1 to 25'],
    [{ marketplaceIds: ['EBAY_US'] }, 'credentials.marketplaceIds', 'does not list'],
    [{ marketplaceIds: ['ATVPDKIKX0DER', 'A1VC38T7YXB528'] }, 'credentials.marketplaceIds', 'one SP-API region'],
    [{ region: 'us-east-1' }, 'credentials.region', 'na, eu, fe'],
    [{ region: 'eu' }, 'credentials.region', 'served by na'],
  ])('refuses %p: BAD_USER_INPUT on %s, and stores nothing', async (patch, field, message) => {
    const res = await connect({
      kind: 'AMAZON',
      id: 'amazon-bad',
      name: 'Bad Amazon',
      credentials: { ...grant, ...patch },
    });
    expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ field });
    expect(res.body.errors![0]!.message).toContain(message);
    expect(await sql(t.db.url, 'select id from channel where id = $1', ['amazon-bad'])).toEqual([]);
  });

  it('refuses the eBay connector on an Amazon authorisation (the registry checks the pairing)', async () => {
    const stored = await loadChannelCredentials(orm.em.fork(), key, 'amazon-na');
    expect(() => connectorFor({ kind: 'ebay', endpoint: null, credentials: stored })).toThrow('another platform');
  });
});
