import { describe, expect, it } from '@jest/globals';
import { createHmac, webcrypto } from 'node:crypto';
import { webhookAdapterFor } from '../../src/connectors/connector-registry.js';
import { shopifyWebhookAdapter, verifyShopifySignature } from '../../src/connectors/shopify/shopify-webhook.js';

const SECRET = 'hush-its-the-app-client-secret';
const BODY = Buffer.from('{"id":820982911946154508,"email":"jon@example.com","note":"café ☕"}', 'utf8');

/** An independent signer: WebCrypto's HMAC, not node:crypto's createHmac that the adapter uses. */
async function webCryptoSignature(body: Buffer, secret: string): Promise<string> {
  const key = await webcrypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await webcrypto.subtle.sign('HMAC', key, body);
  return Buffer.from(mac).toString('base64');
}

function headers(signature: string | undefined, extra: Record<string, string> = {}) {
  return {
    ...(signature === undefined ? {} : { 'x-shopify-hmac-sha256': signature }),
    'x-shopify-topic': 'orders/create',
    'x-shopify-webhook-id': 'wh-1',
    'x-shopify-event-id': 'ev-1',
    'x-shopify-triggered-at': '2026-12-07T10:00:00.123Z',
    ...extra,
  };
}

describe('Shopify webhook verification', () => {
  it('accepts a signature computed independently (WebCrypto) over the raw bytes', async () => {
    const sig = await webCryptoSignature(BODY, SECRET);
    const verdict = shopifyWebhookAdapter.verify(BODY, headers(sig), SECRET);
    expect(verdict).toEqual({
      ok: true,
      delivery: { deliveryId: 'ev-1', topic: 'orders/create', triggeredAt: new Date('2026-12-07T10:00:00.123Z') },
    });
  });

  it('refuses every 1-byte edit of the body', async () => {
    const sig = await webCryptoSignature(BODY, SECRET);
    let accepted = 0;
    for (let i = 0; i < BODY.length; i++) {
      const edited = Buffer.from(BODY);
      edited[i] = edited[i]! ^ 0x01;
      const verdict = shopifyWebhookAdapter.verify(edited, headers(sig), SECRET);
      if (verdict.ok) accepted++;
      else expect(verdict.status).toBe(401);
    }
    expect(accepted).toBe(0);
  });

  it('refuses truncated bodies and truncated signatures without throwing', async () => {
    const sig = await webCryptoSignature(BODY, SECRET);
    expect(shopifyWebhookAdapter.verify(BODY.subarray(0, BODY.length - 1), headers(sig), SECRET)).toMatchObject({
      ok: false,
      status: 401,
    });
    for (const cut of [sig.slice(0, -1), sig.slice(0, 10), sig.slice(1), `${sig}A`, 'x']) {
      expect(() => verifyShopifySignature(BODY, cut, SECRET)).not.toThrow();
      expect(shopifyWebhookAdapter.verify(BODY, headers(cut), SECRET)).toMatchObject({ ok: false, status: 401 });
    }
  });

  it('refuses a wrong secret, a missing or empty signature, and an empty secret', async () => {
    const wrong = await webCryptoSignature(BODY, `${SECRET}x`);
    expect(shopifyWebhookAdapter.verify(BODY, headers(wrong), SECRET)).toMatchObject({ ok: false, status: 401 });
    expect(shopifyWebhookAdapter.verify(BODY, headers(undefined), SECRET)).toMatchObject({ ok: false, status: 401 });
    expect(shopifyWebhookAdapter.verify(BODY, headers(''), SECRET)).toMatchObject({ ok: false, status: 401 });
    // A channel with no secret configured accepts nothing, not even a body "signed" with no key.
    const emptyKeySig = createHmac('sha256', '').update(BODY).digest('base64');
    expect(shopifyWebhookAdapter.verify(BODY, headers(emptyKeySig), '')).toMatchObject({ ok: false, status: 401 });
  });

  it('checks the signature before the topic, so a forger learns nothing about topics', async () => {
    const verdict = shopifyWebhookAdapter.verify(
      BODY,
      headers('bad', { 'x-shopify-topic': 'products/create' }),
      SECRET,
    );
    expect(verdict).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses topics it does not take (422) and missing topic or ids (400)', async () => {
    const sig = await webCryptoSignature(BODY, SECRET);
    expect(
      shopifyWebhookAdapter.verify(BODY, headers(sig, { 'x-shopify-topic': 'products/create' }), SECRET),
    ).toMatchObject({ ok: false, status: 422 });
    const { 'x-shopify-topic': _t, ...noTopic } = headers(sig);
    expect(shopifyWebhookAdapter.verify(BODY, noTopic, SECRET)).toMatchObject({ ok: false, status: 400 });
    const { 'x-shopify-event-id': _e, 'x-shopify-webhook-id': _w, ...noIds } = headers(sig);
    expect(shopifyWebhookAdapter.verify(BODY, noIds, SECRET)).toMatchObject({ ok: false, status: 400 });
  });

  it('dedupes on the event id, else the webhook id', async () => {
    const sig = await webCryptoSignature(BODY, SECRET);
    const { 'x-shopify-event-id': _e, ...noEvent } = headers(sig);
    const verdict = shopifyWebhookAdapter.verify(BODY, noEvent, SECRET);
    expect(verdict.ok && verdict.delivery.deliveryId).toBe('wh-1');
  });

  it('takes the unprefixed "Events" headers too', async () => {
    const sig = await webCryptoSignature(BODY, SECRET);
    const verdict = shopifyWebhookAdapter.verify(
      BODY,
      {
        'shopify-hmac-sha256': sig,
        'shopify-topic': 'app/uninstalled',
        'shopify-webhook-id': 'evt-wh-9',
        'shopify-triggered-at': 'not a date',
      },
      SECRET,
    );
    expect(verdict).toEqual({
      ok: true,
      delivery: { deliveryId: 'evt-wh-9', topic: 'app/uninstalled', triggeredAt: null },
    });
  });

  it('every accepted topic passes; the registry hands the adapter out for shopify only', async () => {
    const sig = await webCryptoSignature(BODY, SECRET);
    for (const topic of [
      'orders/create',
      'orders/updated',
      'orders/cancelled',
      'refunds/create',
      'app/uninstalled',
      'customers/data_request',
      'customers/redact',
      'shop/redact',
    ]) {
      expect(shopifyWebhookAdapter.verify(BODY, headers(sig, { 'x-shopify-topic': topic }), SECRET).ok).toBe(true);
    }
    expect(webhookAdapterFor('shopify')).toBe(shopifyWebhookAdapter);
    expect(webhookAdapterFor('direct')).toBeUndefined();
  });
});
