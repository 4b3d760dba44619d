import { isEmail, isISO31661Alpha2, isISO4217CurrencyCode } from 'class-validator';
import { badInput } from './errors.js';

/*
 * Code lists and address syntax come from validator.js (through class-validator), which keeps
 * the ISO 4217 and ISO 3166-1 lists current: a hand-written pattern such as /^[A-Z]{3}$/ accepted
 * ZZZ and XX. One function per kind, used by every input that carries one.
 */

/** Longest email address accepted (RFC 5321: 64 + 1 + 255). */
export const MAX_EMAIL_LENGTH = 320;

/** An ISO 4217 currency code, upper-cased (`usd` → `USD`). */
export function currencyCode(field: string, value: string | null | undefined): string {
  const code = (value ?? '').trim().toUpperCase();
  if (!isISO4217CurrencyCode(code))
    throw badInput(field, `must be an ISO 4217 currency code such as USD or EUR, got ${JSON.stringify(value)}`);
  return code;
}

/** An assigned ISO 3166-1 alpha-2 country code, upper-cased (`de` → `DE`). */
export function countryCode(field: string, value: string | null | undefined): string {
  const code = (value ?? '').trim().toUpperCase();
  if (!isISO31661Alpha2(code))
    throw badInput(field, `must be an ISO 3166-1 alpha-2 country code such as US or DE, got ${JSON.stringify(value)}`);
  return code;
}

/** An email address, trimmed and lower-cased; blank is refused, not taken as "no email". */
export function emailAddress(field: string, value: string): string {
  const email = value.trim().toLowerCase();
  if (!email) throw badInput(field, 'must not be blank: leave it out (or null) when there is no email');
  if (email.length > MAX_EMAIL_LENGTH)
    throw badInput(field, `must be at most ${MAX_EMAIL_LENGTH} characters`, { max: MAX_EMAIL_LENGTH });
  if (!isEmail(email)) throw badInput(field, 'is not a valid email address');
  return email;
}
