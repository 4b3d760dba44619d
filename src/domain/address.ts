import { badInput } from './errors.js';
import { countryCode as validCountryCode } from './input-formats.js';

/** A postal address as orders and locations carry it. */
export interface PostalAddress {
  name?: string | null;
  company?: string | null;
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode?: string | null;
  /** ISO 3166-1 alpha-2, upper case. */
  countryCode: string;
  phone?: string | null;
  /** Optional coordinates: sourcing measures distance with them when known. */
  latitude?: number | null;
  longitude?: number | null;
}

/** Validates and trims an address; `field` names it in errors (e.g. "shippingAddress"). */
export function validateAddress(field: string, a: PostalAddress): PostalAddress {
  const text = (name: keyof PostalAddress, max: number, required: boolean): string | null => {
    const raw = a[name];
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (!value) {
      if (required) throw badInput(`${field}.${name}`, 'is required');
      return null;
    }
    if (value.length > max) throw badInput(`${field}.${name}`, `must be at most ${max} characters`, { max });
    return value;
  };
  const countryCode = validCountryCode(`${field}.countryCode`, a.countryCode);
  return {
    name: text('name', 200, false),
    company: text('company', 200, false),
    line1: text('line1', 300, true)!,
    line2: text('line2', 300, false),
    city: text('city', 100, true)!,
    region: text('region', 100, false),
    postalCode: text('postalCode', 20, false),
    countryCode,
    phone: text('phone', 40, false),
    latitude: coordinate(`${field}.latitude`, a.latitude, 90),
    longitude: coordinate(`${field}.longitude`, a.longitude, 180),
  };
}

function coordinate(field: string, value: number | null | undefined, limit: number): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limit) {
    throw badInput(field, `must be a number from -${limit} to ${limit}`);
  }
  return value;
}
