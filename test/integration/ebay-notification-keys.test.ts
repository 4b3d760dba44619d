import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EbayHttp } from '../../src/connectors/ebay/ebay-http.js';
import { verifyEbayNotification } from '../../src/connectors/ebay/ebay-notification.js';
import { EbayTokenSource } from '../../src/connectors/ebay/ebay-oauth.js';
import { EbayPublicKeys, PUBLIC_KEY_TTL_MS } from '../../src/connectors/ebay/ebay-public-keys.js';
import { EbaySimulator } from '../../src/connectors/ebay/simulator/ebay-simulator.js';
import { ebaySignedVectors } from '../support/fixtures.js';

const CLIENT = { clientId: 'sim-client', clientSecret: 'sim-secret', refreshToken: 'v^1.1#refresh-ok' };
const vectors = ebaySignedVectors();
let clock = Date.parse('2026-12-07T10:00:00.000Z');
const now = () => clock;

let sim: EbaySimulator;
let keys: EbayPublicKeys;

beforeAll(async () => {
  sim = new EbaySimulator({ ...CLIENT, refreshTokens: [CLIENT.refreshToken], now });
  // The official vectors' getPublicKey answers, loaded unchanged under their key ids.
  for (const v of Object.values(vectors)) if (v.response) sim.state.publicKeys.set(v.public_key, v.response);
  const http = new EbayHttp({ endpoint: await sim.start(), timeoutMs: 2_000, retryDelayMs: 1 });
  keys = new EbayPublicKeys(http, new EbayTokenSource(http, CLIENT, now), now);
});
afterAll(() => sim.stop());

const keyFetches = () => sim.state.log.filter((c) => c.path.startsWith('/commerce/notification/v1/public_key/'));

describe('eBay notifications verified with keys from the (simulated) Notification API', () => {
  it('accepts the official VALID vector with the key fetched by its kid, with an application token', async () => {
    const verdict = await verifyEbayNotification(
      Buffer.from(JSON.stringify(vectors.VALID.message)),
      { 'x-ebay-signature': vectors.VALID.signature },
      keys,
    );
    expect(verdict.ok).toBe(true);
    expect(keyFetches().map((c) => c.status)).toEqual([200]);
  });

  it('caches the key per kid, and asks again once the cache lapses', async () => {
    const before = keyFetches().length;
    await Promise.all([keys.get(vectors.VALID.public_key), keys.get(vectors.VALID.public_key)]);
    expect(keyFetches()).toHaveLength(before);
    clock += PUBLIC_KEY_TTL_MS;
    await keys.get(vectors.VALID.public_key);
    expect(keyFetches()).toHaveLength(before + 1);
  });

  it("accepts a notification the simulator signed with its own key (the sandbox's deliveries)", async () => {
    const message = {
      metadata: { topic: 'ORDER_CONFIRMATION', schemaVersion: '1.0', deprecated: false },
      notification: { notificationId: 'sim-1', eventDate: '2026-12-07T10:00:00.000Z', data: { orderId: '12-1' } },
    };
    const verdict = await verifyEbayNotification(
      Buffer.from(JSON.stringify(message)),
      { 'x-ebay-signature': sim.signer.signatureHeader(message) },
      keys,
    );
    expect(verdict).toMatchObject({ ok: true, delivery: { deliveryId: 'sim-1', topic: 'ORDER_CONFIRMATION' } });
  });

  it('refuses a signature whose key id the Notification API does not know (404) with 401', async () => {
    const message = { metadata: { topic: 'ORDER_CONFIRMATION' }, notification: { notificationId: 'sim-2' } };
    const header = JSON.parse(Buffer.from(sim.signer.signatureHeader(message), 'base64').toString('utf8')) as object;
    const forged = Buffer.from(JSON.stringify({ ...header, kid: vectors.ERROR.public_key })).toString('base64');
    const verdict = await verifyEbayNotification(
      Buffer.from(JSON.stringify(message)),
      { 'x-ebay-signature': forged },
      keys,
    );
    expect(verdict).toMatchObject({ ok: false, status: 401 });
    expect(keyFetches().at(-1)?.status).toBe(404);
  });
});
