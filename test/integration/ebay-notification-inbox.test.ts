import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { EbaySimulator } from '../../src/connectors/ebay/simulator/ebay-simulator.js';
import { sql } from '../support/database.js';
import { ebaySignedVectors } from '../support/fixtures.js';
import { gql, startTestHub, type TestHub } from '../support/hub.js';

/**
 * eBay notifications on a real hub's webhook inbox (real PostgreSQL and Redis), with the signing
 * keys fetched from the eBay simulator by key id: the official vectors verify and are stored,
 * every forgery is refused with a 4xx and stores nothing, and the account-deletion endpoint
 * answers eBay's challenge with the URL the channel's detail publishes.
 */
const CLIENT = { clientId: 'sim-client', clientSecret: 'sim-secret', refreshToken: 'v^1.1#refresh-ok' };
const VERIFICATION_TOKEN = 'switchyard-verification-token_0123456789';
const PUBLIC_URL = 'https://hub.example.com/switchyard';
const vectors = ebaySignedVectors();
interface Notice {
  metadata: Record<string, unknown>;
  notification: Record<string, unknown> & { notificationId: string };
}
const VALID_MESSAGE = vectors.VALID.message as Notice;

let t: TestHub;
let sim: EbaySimulator;

beforeAll(async () => {
  sim = new EbaySimulator({ ...CLIENT, refreshTokens: [CLIENT.refreshToken] });
  // The official vectors' getPublicKey answer, unchanged, under the key id their header names.
  sim.state.publicKeys.set(vectors.VALID.public_key, vectors.VALID.response);
  const endpoint = await sim.start();
  t = await startTestHub('api', {
    SWITCHYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // A trailing slash is not part of the published URL.
    PUBLIC_URL: `${PUBLIC_URL}/`,
  });
  const res = await gql(t.base, 'mutation($input: ConnectChannelInput!) { connectChannel(input: $input) { id } }', {
    key: t.adminKey,
    variables: {
      input: {
        kind: 'EBAY',
        name: 'eBay US',
        endpoint,
        credentials: { ...CLIENT, verificationToken: VERIFICATION_TOKEN },
      },
    },
  });
  expect(res.body.errors).toBeUndefined();
});
afterAll(async () => {
  await t.stop();
  await sim.stop();
});

const deliveries = async () =>
  sql<{ delivery_id: string; topic: string; status: string }>(
    t.db.url,
    "select delivery_id, topic, status from webhook_delivery where channel_id = 'ebay-us' order by received_at",
  );

async function post(body: string | Buffer, headers: Record<string, string>) {
  const res = await fetch(`${t.base}/webhooks/ebay-us`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const validBody = JSON.stringify(vectors.VALID.message);
const validHeaders = { 'x-ebay-signature': vectors.VALID.signature };

describe('the eBay channel detail', () => {
  it('shows the webhook URL to register, <PUBLIC_URL>/webhooks/<id>; a direct channel has none', async () => {
    const res = await gql<{ channels: { id: string; webhookUrl: string | null }[] }>(
      t.base,
      '{ channels { id webhookUrl } }',
      { key: t.adminKey },
    );
    expect(res.body.errors).toBeUndefined();
    const byId = Object.fromEntries(res.body.data!.channels.map((c) => [c.id, c.webhookUrl]));
    expect(byId['ebay-us']).toBe(`${PUBLIC_URL}/webhooks/ebay-us`);
    expect(byId.direct).toBeNull();
  });
});

describe('POST /webhooks/<eBay channel>', () => {
  it('stores the official VALID notification, verified with the key fetched by its kid (app token)', async () => {
    const res = await post(validBody, validHeaders);
    expect(res).toMatchObject({ status: 200, body: { status: 'accepted' } });
    expect(await deliveries()).toEqual([
      {
        delivery_id: VALID_MESSAGE.notification.notificationId,
        topic: 'MARKETPLACE_ACCOUNT_DELETION',
        status: 'pending',
      },
    ]);
    const keyCalls = sim.state.log.filter((c) => c.api === 'notification');
    expect(keyCalls.map((c) => [c.path, c.status])).toEqual([
      [`/commerce/notification/v1/public_key/${vectors.VALID.public_key}`, 200],
    ]);
  });

  it('answers the same notification again as a duplicate, from the cached key', async () => {
    const res = await post(validBody, validHeaders);
    expect(res).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    expect(await deliveries()).toHaveLength(1);
    expect(sim.state.log.filter((c) => c.api === 'notification')).toHaveLength(1);
  });

  it('stores a notification the simulator signed with its own key (an order topic)', async () => {
    const message = {
      metadata: { topic: 'ORDER_CONFIRMATION', schemaVersion: '1.0', deprecated: false },
      notification: { notificationId: 'sim-order-1', eventDate: '2026-12-07T10:00:00.000Z', data: { orderId: '12-1' } },
    };
    const res = await post(JSON.stringify(message), { 'x-ebay-signature': sim.signer.signatureHeader(message) });
    expect(res.status).toBe(200);
    expect((await deliveries()).map((d) => d.topic)).toEqual(['MARKETPLACE_ACCOUNT_DELETION', 'ORDER_CONFIRMATION']);
  });

  /** A different body under the VALID vector's signature, and other forgeries. */
  const fresh = (id: string) => ({
    ...VALID_MESSAGE,
    notification: { ...VALID_MESSAGE.notification, notificationId: id },
  });
  const otherKeySignature = (message: unknown) => {
    // Signed correctly, but with a key that is not eBay's, under the kid eBay publishes.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signature = sign('sha1', Buffer.from(JSON.stringify(message)), { key: privateKey, dsaEncoding: 'der' });
    const header = {
      alg: 'ecdsa',
      kid: vectors.VALID.public_key,
      signature: signature.toString('base64'),
      digest: 'SHA1',
    };
    return Buffer.from(JSON.stringify(header)).toString('base64');
  };
  const oneByteEdited = validBody.replace('test_user', 'test_usEr');
  const forgeries: [string, () => { body: string; headers: Record<string, string> }][] = [
    [
      'the official INVALID vector',
      () => ({
        body: JSON.stringify(vectors.INVALID.message),
        headers: { 'x-ebay-signature': vectors.INVALID.signature },
      }),
    ],
    [
      'the official SIGNATURE_MISMATCH vector',
      () => ({
        body: JSON.stringify(vectors.SIGNATURE_MISMATCH.message),
        headers: { 'x-ebay-signature': vectors.SIGNATURE_MISMATCH.signature },
      }),
    ],
    [
      "a body signed with another key under eBay's kid",
      () => ({
        body: JSON.stringify(fresh('forged-1')),
        headers: { 'x-ebay-signature': otherKeySignature(fresh('forged-1')) },
      }),
    ],
    ['the VALID body with one byte edited', () => ({ body: oneByteEdited, headers: validHeaders })],
    [
      'a new notification id under the VALID signature',
      () => ({ body: JSON.stringify(fresh('forged-2')), headers: validHeaders }),
    ],
    ['the VALID body truncated', () => ({ body: validBody.slice(0, -10), headers: validHeaders })],
    [
      'a truncated signature header',
      () => ({
        body: JSON.stringify(fresh('forged-3')),
        headers: { 'x-ebay-signature': vectors.VALID.signature.slice(0, 60) },
      }),
    ],
    ['no signature header', () => ({ body: JSON.stringify(fresh('forged-4')), headers: {} })],
    [
      'a key id eBay does not publish',
      () => {
        const header = JSON.parse(Buffer.from(vectors.VALID.signature, 'base64').toString('utf8')) as object;
        const unknown = Buffer.from(JSON.stringify({ ...header, kid: vectors.ERROR.public_key })).toString('base64');
        return { body: JSON.stringify(fresh('forged-5')), headers: { 'x-ebay-signature': unknown } };
      },
    ],
  ];

  it.each(forgeries)('refuses %s with 401 and stores nothing', async (_name, make) => {
    const before = await deliveries();
    const { body, headers } = make();
    const res = await post(body, headers);
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).not.toContain('test_user');
    expect(await deliveries()).toEqual(before);
  });
});

describe("GET /webhooks/<channel>?challenge_code= (eBay's endpoint check)", () => {
  const expected = (code: string) =>
    createHash('sha256')
      .update(code + VERIFICATION_TOKEN + `${PUBLIC_URL}/webhooks/ebay-us`)
      .digest('hex');

  it('answers {challengeResponse: hex(SHA-256(code + verificationToken + published URL))} as JSON', async () => {
    const code = 'a8628072-3d33-45ee-9004-bee86830a22d';
    const res = await fetch(`${t.base}/webhooks/ebay-us?challenge_code=${code}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ challengeResponse: expected(code) });
  });

  it.each([
    ['ebay-us', 400],
    ['ebay-us?challenge_code=', 400],
    ['ebay-us?challenge_code=a&challenge_code=b', 400],
    ['direct?challenge_code=abc', 404],
    ['no-such-channel?challenge_code=abc', 404],
  ])('GET /webhooks/%s answers %p and changes nothing', async (path, status) => {
    const before = await deliveries();
    const res = await fetch(`${t.base}/webhooks/${path}`);
    expect(res.status).toBe(status);
    expect(await res.json()).toHaveProperty('errors');
    expect(await deliveries()).toEqual(before);
  });
});

describe('PUBLIC_URL', () => {
  const base = { NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '4100' };
  it('is optional; set, it loses a trailing slash', () => {
    expect(loadConfig(base).http.publicUrl).toBeNull();
    expect(loadConfig({ ...base, PUBLIC_URL: 'https://hub.example.com/' }).http.publicUrl).toBe(
      'https://hub.example.com',
    );
  });

  it.each(['hub.example.com', 'ftp://hub.example.com', 'https://hub.example.com/?a=1', 'https://'])(
    'refuses %p at startup with a clear error',
    (value) => {
      expect(() => loadConfig({ ...base, PUBLIC_URL: value })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, PUBLIC_URL: value })).toThrow(/PUBLIC_URL: must be the http\(s\) URL/);
    },
  );
});
