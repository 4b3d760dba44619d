import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Stripe's webhook signature, over the raw bytes (stripe-node `Webhooks.js`, docs.stripe.com
 * /webhooks#verify-manually): `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]`
 * where each v1 is hex(HMAC-SHA256(endpoint secret `whsec_…`, `${t}.${raw body}`)). Several v1
 * are sent while a secret is being rolled; any one matching is enough. The SDK's verifier decodes
 * the body to a string first (invalid UTF-8 would be replaced before hashing); this one hashes the
 * bytes as received, and it is checked against the SDK on the official signer's output.
 */

/** Stripe's default tolerance: a signature older than this many seconds is refused (replay window). */
export const STRIPE_SIGNATURE_TOLERANCE_SECONDS = 300;

/** Longest header and most signatures looked at: a real header is about 150 characters. */
const MAX_HEADER_LENGTH = 4096;
const MAX_SIGNATURES = 16;

export function stripeSignature(rawBody: Buffer | string, timestamp: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** The `Stripe-Signature` value for a body: one v1 per secret (several while rolling a secret). */
export function stripeSignatureHeader(
  rawBody: Buffer | string,
  secrets: string | readonly string[],
  timestamp: number,
): string {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  return [`t=${timestamp}`, ...list.map((s) => `v1=${stripeSignature(rawBody, timestamp, s)}`)].join(',');
}

export type StripeSignatureCheck =
  { ok: true; timestamp: number } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'stale' };

interface ParsedHeader {
  timestamp: number;
  signatures: Buffer[];
}

function parseHeader(header: string): ParsedHeader | null {
  if (header.length > MAX_HEADER_LENGTH) return null;
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const at = item.indexOf('=');
    if (at < 0) continue;
    const key = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (key === 't') {
      // Two timestamps leave it open which one was signed: refused rather than guessed.
      if (timestamp !== null || !/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === 'v1' && /^[0-9a-fA-F]{64}$/.test(value) && signatures.length < MAX_SIGNATURES) {
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  return timestamp === null ? null : { timestamp, signatures };
}

/**
 * Checks a delivery: some v1 must match (compared timing-safe, as bytes) and the signature must be
 * at most `toleranceSeconds` old (0 turns the age check off, as in the SDK).
 */
export function verifyStripeSignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = STRIPE_SIGNATURE_TOLERANCE_SECONDS,
): StripeSignatureCheck {
  if (!header) return { ok: false, reason: 'missing' };
  const parsed = parseHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  if (!secret) return { ok: false, reason: 'mismatch' };
  const expected = Buffer.from(stripeSignature(rawBody, parsed.timestamp, secret), 'hex');
  let matched = false;
  for (const signature of parsed.signatures) if (timingSafeEqual(signature, expected)) matched = true;
  if (!matched) return { ok: false, reason: 'mismatch' };
  if (toleranceSeconds > 0 && nowSeconds - parsed.timestamp > toleranceSeconds) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp: parsed.timestamp };
}
