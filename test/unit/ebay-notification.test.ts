import { describe, expect, it } from '@jest/globals';
import type { KeyObject } from 'node:crypto';
import { PlatformError } from '../../src/connectors/connector.js';
import { challengeResponse } from '../../src/connectors/ebay/ebay-account-deletion.js';
import { verifyEbayNotification } from '../../src/connectors/ebay/ebay-notification.js';
import {
  decodeSignatureHeader,
  publicKeyFromEbay,
  verifyEbaySignature,
} from '../../src/connectors/ebay/ebay-notification-signature.js';
import { EbaySimSigner } from '../../src/connectors/ebay/simulator/ebay-sim-signer.js';
import { ebaySignedVectors } from '../support/fixtures.js';

const vectors = ebaySignedVectors();

/** A key store over the vectors' getPublicKey answers, by their public_key id, as eBay serves them. */
function vectorKeys(): { get(kid: string): Promise<KeyObject>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    get(kid: string) {
      asked.push(kid);
      const found = Object.values(vectors).find((v) => v.public_key === kid && v.response);
      if (!found) return Promise.reject(new PlatformError('NOT_FOUND', `no key ${kid}`));
      return Promise.resolve(publicKeyFromEbay(found.response!.key));
    },
  };
}

const deliver = (message: unknown, signature: string | undefined) =>
  verifyEbayNotification(
    Buffer.from(JSON.stringify(message, null, 2)),
    { 'x-ebay-signature': signature },
    vectorKeys(),
  );

describe("eBay's X-EBAY-SIGNATURE, against the official vectors", () => {
  it('verifies VALID: ECDSA with SHA-1 over JSON.stringify of the message', () => {
    const header = decodeSignatureHeader(vectors.VALID.signature)!;
    expect(header).toMatchObject({ alg: 'ecdsa', digest: 'SHA1', kid: vectors.VALID.public_key });
    expect(verifyEbaySignature(vectors.VALID.message, header, publicKeyFromEbay(vectors.VALID.response!.key))).toBe(
      true,
    );
  });

  it('refuses INVALID (another message under the same signature) and SIGNATURE_MISMATCH', () => {
    const key = publicKeyFromEbay(vectors.VALID.response!.key);
    for (const v of [vectors.INVALID, vectors.SIGNATURE_MISMATCH]) {
      expect(verifyEbaySignature(v.message, decodeSignatureHeader(v.signature)!, key)).toBe(false);
    }
  });

  it('refuses a signature claimed to be over SHA-256', () => {
    const header = { ...decodeSignatureHeader(vectors.VALID.signature)!, digest: 'SHA256' };
    expect(verifyEbaySignature(vectors.VALID.message, header, publicKeyFromEbay(vectors.VALID.response!.key))).toBe(
      false,
    );
  });
});

describe('verifyEbayNotification: the inbox verdict', () => {
  it('accepts VALID whatever its whitespace, naming it by notificationId and topic', async () => {
    const verdict = await deliver(vectors.VALID.message, vectors.VALID.signature);
    expect(verdict).toEqual({
      ok: true,
      delivery: {
        deliveryId: '49feeaeb-4982-42d9-a377-9645b8479411_33f7e043-fed8-442b-9d44-791923bd9a6d',
        topic: 'MARKETPLACE_ACCOUNT_DELETION',
        triggeredAt: new Date('2021-03-19T20:43:59.462Z'),
      },
    });
  });

  it.each([
    ['INVALID', vectors.INVALID.message, vectors.INVALID.signature],
    ['SIGNATURE_MISMATCH', vectors.SIGNATURE_MISMATCH.message, vectors.SIGNATURE_MISMATCH.signature],
    ['a missing header', vectors.VALID.message, undefined],
    ['a header that is not base64 JSON', vectors.VALID.message, 'not-a-signature'],
  ])('refuses %s with 401', async (_what, message, signature) => {
    expect(await deliver(message, signature)).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses a signature under a key id eBay does not publish (the ERROR vector) with 401', async () => {
    const header = { ...decodeSignatureHeader(vectors.ERROR.signature)!, kid: vectors.ERROR.public_key };
    const signature = Buffer.from(JSON.stringify(header)).toString('base64');
    expect(await deliver(vectors.ERROR.message, signature)).toMatchObject({ ok: false, status: 401 });
  });

  it('lets a passing failure to fetch the key through, so the route answers 5xx and eBay retries', async () => {
    const keys = { get: () => Promise.reject(new PlatformError('TRANSIENT', 'eBay did not answer')) };
    const raw = Buffer.from(JSON.stringify(vectors.VALID.message));
    await expect(verifyEbayNotification(raw, { 'x-ebay-signature': vectors.VALID.signature }, keys)).rejects.toThrow(
      'eBay did not answer',
    );
  });

  it('refuses a correctly signed topic the hub does not take with 422', async () => {
    const signer = new EbaySimSigner();
    const message = { metadata: { topic: 'PRIORITY_LISTING_REVISION' }, notification: { notificationId: 'n-1' } };
    const keys = { get: () => Promise.resolve(publicKeyFromEbay(signer.publicKeyAnswer.key)) };
    const verdict = await verifyEbayNotification(
      Buffer.from(JSON.stringify(message)),
      { 'x-ebay-signature': signer.signatureHeader(message) },
      keys,
    );
    expect(verdict).toMatchObject({ ok: false, status: 422 });
  });
});

describe('the marketplace account deletion challenge', () => {
  it('is hex SHA-256 of challengeCode + verificationToken + endpoint, in that order', () => {
    // Computed independently with Python's hashlib.sha256 over the three strings concatenated.
    expect(
      challengeResponse(
        'a8628072-3d33-45ee-9004-bee86830a22d',
        'switchyard-verification-token_0123456789',
        'https://hub.example.com/webhooks/ebay-us',
      ),
    ).toBe('72c342a0e1592060415ca257309ae21749fdceae73194911f864037acdfad7f4');
  });

  it('changes with the endpoint, which must be exactly the URL registered', () => {
    const a = challengeResponse('code', 'token', 'https://hub.example.com/webhooks/ebay-us');
    expect(challengeResponse('code', 'token', 'https://hub.example.com/webhooks/ebay-us/')).not.toBe(a);
  });
});
