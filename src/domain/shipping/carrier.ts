import type { PostalAddress } from '../address.js';

/**
 * Port: a carrier integration that quotes, sells and refunds labels and tracks parcels
 * (EasyPost first, src/connectors/carriers/easypost). Called only from jobs, never inside an
 * order's transaction. Amounts are integer minor units with an upper-case ISO 4217 currency;
 * times are ISO-8601 UTC. Every method throws `CarrierError` only.
 *
 * Buying is not protected by an idempotency header (EasyPost has none for it): the carrier's
 * shipment is the point of truth. Callers store its id before buying and re-read it
 * (`retrieveShipment`) before any retry: a label already on it was bought, whatever answer was lost.
 */
export interface CarrierProvider {
  /** `easypost`: stored on every label. */
  readonly id: string;
  /** A carrier shipment for this parcel between these addresses, with the rates on offer. */
  createShipment(request: CarrierShipmentRequest): Promise<CarrierShipment>;
  retrieveShipment(providerShipmentId: string): Promise<CarrierShipment>;
  /** Buys one of the shipment's rates: one attempt, never retried here (see above). */
  buy(providerShipmentId: string, rateId: string): Promise<CarrierShipment>;
  /** Asks for the label's money back (a void); the answer says whether the carrier took it. */
  refund(providerShipmentId: string): Promise<CarrierShipment>;
  retrieveTracker(trackerId: string): Promise<CarrierTracker>;
}

/** A parcel: weight in grams, sides in millimetres (null: unknown, weight alone is quoted). */
export interface Parcel {
  weightGrams: number;
  lengthMm: number | null;
  widthMm: number | null;
  heightMm: number | null;
}

export interface CarrierShipmentRequest {
  /** Our idempotency key, kept by the carrier as the shipment's reference. */
  reference: string;
  from: PostalAddress;
  to: PostalAddress;
  parcel: Parcel;
}

/** One rate on offer, normalised: the amount in minor units, transit time in days when known. */
export interface RateQuote {
  id: string;
  carrier: string;
  service: string;
  amount: number;
  currency: string;
  deliveryDays: number | null;
}

export interface PurchasedLabel {
  rateId: string;
  carrier: string;
  service: string;
  amount: number;
  currency: string;
  trackingCode: string;
  labelUrl: string;
  trackerId: string | null;
  /** The public tracking page, when the carrier gives one. */
  trackingUrl: string | null;
}

export interface CarrierShipment {
  id: string;
  reference: string | null;
  rates: RateQuote[];
  /** Set once a rate was bought. */
  label: PurchasedLabel | null;
  /** The refund's state after `refund`: `submitted`, `refunded`, `rejected`; null when none was asked. */
  refundStatus: string | null;
}

/** Carrier tracking statuses, ranked by how far a parcel has come (others are recorded, never ranked). */
export const TRACKING_PROGRESS = ['pre_transit', 'in_transit', 'out_for_delivery', 'delivered'] as const;

export interface TrackingScan {
  status: string;
  statusDetail: string | null;
  message: string | null;
  occurredAt: string;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  countryCode: string | null;
}

export interface CarrierTracker {
  id: string;
  trackingCode: string;
  carrier: string | null;
  /** `pre_transit`, `in_transit`, `out_for_delivery`, `delivered`, `return_to_sender`, `failure`, `unknown`, … */
  status: string;
  /** When the carrier last changed the tracker: an update older than what we hold is stale. */
  updatedAt: string;
  publicUrl: string | null;
  /** The carrier's shipment, when the tracker came with a label bought through it. */
  providerShipmentId: string | null;
  scans: TrackingScan[];
}

/**
 * Why a carrier call failed, as jobs act on it: `RATE_LIMITED` waits `retryAfterMs`,
 * `TRANSIENT` (timeout, reset, 5xx; the call may or may not have happened) retries after a
 * re-read, `AUTH` and `INVALID` (the request can never succeed) fail at once, `NOT_FOUND` is the
 * caller's to read.
 */
export type CarrierErrorKind = 'AUTH' | 'NOT_FOUND' | 'RATE_LIMITED' | 'TRANSIENT' | 'INVALID';

export class CarrierError extends Error {
  constructor(
    readonly kind: CarrierErrorKind,
    message: string,
    readonly details: { code?: string | null; httpStatus?: number | null; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'CarrierError';
  }
}
