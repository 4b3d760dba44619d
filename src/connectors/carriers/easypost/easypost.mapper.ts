import type { PostalAddress } from '../../../domain/address.js';
import { decimalToMinor } from '../../../domain/money-decimal.js';
import type {
  CarrierShipment,
  CarrierTracker,
  Parcel,
  PurchasedLabel,
  RateQuote,
  TrackingScan,
} from '../../../domain/shipping/carrier.js';

/**
 * Pure functions between EasyPost's JSON and the hub's shapes. EasyPost weighs in ounces and
 * measures in inches, prices in decimal strings; the hub keeps grams, millimetres and integer
 * minor units. Tested against the official fixtures (test/unit/easypost-webhook.test.ts).
 */
type Json = Record<string, unknown>;

const GRAMS_PER_OUNCE = 28.349523125;
const MM_PER_INCH = 25.4;

/** Rounded up to a tenth: a parcel declared lighter or smaller than it is gets re-billed. */
const upToTenth = (value: number) => Math.max(0.1, Math.ceil(value * 10 - 1e-9) / 10);

export function easyPostParcel(parcel: Parcel): Json {
  const out: Json = { weight: upToTenth(parcel.weightGrams / GRAMS_PER_OUNCE) };
  if (parcel.lengthMm !== null && parcel.widthMm !== null && parcel.heightMm !== null) {
    out.length = upToTenth(parcel.lengthMm / MM_PER_INCH);
    out.width = upToTenth(parcel.widthMm / MM_PER_INCH);
    out.height = upToTenth(parcel.heightMm / MM_PER_INCH);
  }
  return out;
}

export function easyPostAddress(a: PostalAddress): Json {
  return {
    name: a.name ?? null,
    company: a.company ?? null,
    street1: a.line1,
    street2: a.line2 ?? null,
    city: a.city,
    state: a.region ?? null,
    zip: a.postalCode ?? null,
    country: a.countryCode,
    phone: a.phone ?? null,
  };
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);
const days = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);

export function rateOf(rate: Json): RateQuote {
  const currency = String(rate.currency ?? '').toUpperCase();
  return {
    id: String(rate.id),
    carrier: String(rate.carrier ?? ''),
    service: String(rate.service ?? ''),
    amount: decimalToMinor('rate', String(rate.rate), currency),
    currency,
    deliveryDays: days(rate.delivery_days) ?? days(rate.est_delivery_days),
  };
}

function labelOf(shipment: Json): PurchasedLabel | null {
  const postage = shipment.postage_label as Json | null | undefined;
  const selected = shipment.selected_rate as Json | null | undefined;
  const trackingCode = text(shipment.tracking_code);
  const labelUrl = text(postage?.label_url);
  if (!postage || !selected || !trackingCode || !labelUrl) return null;
  const rate = rateOf(selected);
  const tracker = shipment.tracker as Json | null | undefined;
  return {
    rateId: rate.id,
    carrier: rate.carrier,
    service: rate.service,
    amount: rate.amount,
    currency: rate.currency,
    trackingCode,
    labelUrl,
    trackerId: text(tracker?.id),
    trackingUrl: text(tracker?.public_url),
  };
}

export function shipmentOf(shipment: Json): CarrierShipment {
  const rates = Array.isArray(shipment.rates) ? (shipment.rates as Json[]) : [];
  return {
    id: String(shipment.id),
    reference: text(shipment.reference),
    rates: rates.map(rateOf),
    label: labelOf(shipment),
    refundStatus: text(shipment.refund_status),
  };
}

function scanOf(detail: Json): TrackingScan | null {
  const at = text(detail.datetime);
  const status = text(detail.status);
  if (!at || !status || Number.isNaN(Date.parse(at))) return null;
  const where = (detail.tracking_location as Json | null | undefined) ?? {};
  const country = text(where.country);
  return {
    status,
    statusDetail: text(detail.status_detail),
    message: text(detail.message) ?? text(detail.description),
    occurredAt: new Date(at).toISOString(),
    city: text(where.city),
    region: text(where.state),
    postalCode: text(where.zip),
    countryCode: country && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : null,
  };
}

/** A Tracker (an Event's `result`, or GET /trackers/:id); null when it lacks what the hub needs. */
export function trackerOf(tracker: Json): CarrierTracker | null {
  const id = text(tracker.id);
  const trackingCode = text(tracker.tracking_code);
  const status = text(tracker.status);
  const updatedAt = text(tracker.updated_at) ?? text(tracker.created_at);
  if (!id || !trackingCode || !status || !updatedAt || Number.isNaN(Date.parse(updatedAt))) return null;
  const details = Array.isArray(tracker.tracking_details) ? (tracker.tracking_details as Json[]) : [];
  return {
    id,
    trackingCode,
    carrier: text(tracker.carrier),
    status,
    updatedAt: new Date(updatedAt).toISOString(),
    publicUrl: text(tracker.public_url),
    providerShipmentId: text(tracker.shipment_id),
    scans: details.flatMap((d) => {
      const scan = d && typeof d === 'object' ? scanOf(d) : null;
      return scan ? [scan] : [];
    }),
  };
}
