import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';

/**
 * The simulator's own notification signing key, so it can send deliveries the connector must
 * verify exactly as it verifies eBay's: ECDSA P-256 with SHA-1 over JSON.stringify(body), DER
 * signature in base64, wrapped in a base64 JSON header (CONNECTORS.md §3).
 */
export class EbaySimSigner {
  readonly kid = randomUUID();
  private readonly privateKey: KeyObject;
  /** The key as getPublicKey returns it: PEM markers with no newlines, as eBay sends it. */
  readonly publicKeyAnswer: { algorithm: 'ECDSA'; digest: 'SHA1'; key: string };

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    this.publicKeyAnswer = {
      algorithm: 'ECDSA',
      digest: 'SHA1',
      key: `-----BEGIN PUBLIC KEY-----${der}-----END PUBLIC KEY-----`,
    };
  }

  /** The `X-EBAY-SIGNATURE` value for a notification body. */
  signatureHeader(body: unknown): string {
    const signature = sign('sha1', Buffer.from(JSON.stringify(body)), { key: this.privateKey, dsaEncoding: 'der' });
    const header = { alg: 'ecdsa', kid: this.kid, signature: signature.toString('base64'), digest: 'SHA1' };
    return Buffer.from(JSON.stringify(header)).toString('base64');
  }
}
