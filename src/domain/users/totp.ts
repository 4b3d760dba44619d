import { Secret, TOTP } from 'otpauth';

/**
 * TOTP as every authenticator app does it (RFC 6238): HMAC-SHA-1, 6 digits, 30-second steps.
 * A code is accepted for the current step and one step either side (a phone's clock a little
 * off, a code typed as it changed), and — checked by the caller under the user's row lock — only
 * for a step later than the last one accepted, so an overheard code cannot be used again.
 */
export const TOTP_ISSUER = 'Switchyard';
const PERIOD_S = 30;
const DIGITS = 6;
const WINDOW = 1;
/** 160 bits, the HMAC-SHA-1 block the RFC recommends (32 base32 characters). */
const SECRET_BYTES = 20;

const totpOf = (base32Secret: string, account = '') =>
  new TOTP({
    issuer: TOTP_ISSUER,
    label: account,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_S,
    secret: Secret.fromBase32(base32Secret),
  });

/** A fresh random secret, base32 (what authenticator apps take when typed in by hand). */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The `otpauth://totp/…` URI a QR code carries, naming the hub and the user's email. */
export function otpauthUri(base32Secret: string, account: string): string {
  return totpOf(base32Secret, account).toString();
}

/** Whether `code` has the shape of a TOTP code (6 digits), as opposed to a recovery code. */
export const isTotpShape = (code: string): boolean => /^\d{6}$/.test(code);

/**
 * The time step `code` is right for at `at` (within the window), or null when it is wrong. The
 * caller decides whether that step was already used.
 */
export function totpStepOf(base32Secret: string, code: string, at: Date): number | null {
  if (!isTotpShape(code)) return null;
  const timestamp = at.getTime();
  const delta = totpOf(base32Secret).validate({ token: code, timestamp, window: WINDOW });
  return delta === null ? null : TOTP.counter({ period: PERIOD_S, timestamp }) + delta;
}
