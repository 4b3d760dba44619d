import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** The decoded `X-EBAY-SIGNATURE` header: base64 of this JSON. */
export interface EbaySignatureHeader {
  alg: string;
  kid: string;
  /** base64 DER ECDSA signature. */
  signature: string;
  digest: string;
}

/** The header's JSON, or null when it is not base64 JSON of the expected shape. */
export function decodeSignatureHeader(value: string | undefined): EbaySignatureHeader | null {
  if (!value || value.length > 4096) return null;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Partial<EbaySignatureHeader>;
    const { alg, kid, signature, digest } = parsed;
    if (
      typeof alg !== 'string' ||
      typeof kid !== 'string' ||
      typeof signature !== 'string' ||
      typeof digest !== 'string'
    )
      return null;
    return { alg, kid, signature, digest };
  } catch {
    return null;
  }
}

/**
 * getPublicKey's `key` is `-----BEGIN PUBLIC KEY-----<base64>-----END PUBLIC KEY-----` on one
 * line; PEM needs the markers on lines of their own (CONNECTORS.md §3, step 2).
 */
export function publicKeyFromEbay(key: string): KeyObject {
  const pem = key
    .replace('-----BEGIN PUBLIC KEY-----', '-----BEGIN PUBLIC KEY-----\n')
    .replace('-----END PUBLIC KEY-----', '\n-----END PUBLIC KEY-----');
  return createPublicKey(pem);
}

/**
 * True when the signature is eBay's over the notification: ECDSA (P-256) with SHA-1, the only
 * pairing eBay signs with, over JSON.stringify of the parsed body. eBay signs its own
 * serialisation, not the bytes it sent, so the body must be parsed first and re-serialised;
 * the official vector verifies this way and fails over the raw bytes or with SHA-256.
 */
export function verifyEbaySignature(body: unknown, header: EbaySignatureHeader, key: KeyObject): boolean {
  if (header.alg.toLowerCase() !== 'ecdsa' || header.digest.toUpperCase() !== 'SHA1') return false;
  try {
    return verify(
      'sha1',
      Buffer.from(JSON.stringify(body), 'utf8'),
      { key, dsaEncoding: 'der' },
      Buffer.from(header.signature, 'base64'),
    );
  } catch {
    // A malformed DER signature throws; it is simply not a valid signature.
    return false;
  }
}
