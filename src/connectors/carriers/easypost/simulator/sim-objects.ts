import { randomBytes } from 'node:crypto';

/**
 * EasyPost's JSON objects as the API returns them (the fields the official client and the hub
 * read, plus the usual envelope: id with its prefix and 32 hex characters, object, mode,
 * created_at, updated_at).
 */
export type Json = Record<string, unknown>;

export const objectId = (prefix: string) => `${prefix}_${randomBytes(16).toString('hex')}`;

export interface SimTrackingDetail {
  object: 'TrackingDetail';
  message: string;
  description: string;
  status: string;
  status_detail: string;
  datetime: string;
  source: string;
  carrier_code: string | null;
  tracking_location: {
    object: 'TrackingLocation';
    city: string | null;
    state: string | null;
    country: string | null;
    zip: string | null;
  };
}

export interface SimTracker {
  id: string;
  object: 'Tracker';
  mode: 'test';
  tracking_code: string;
  status: string;
  status_detail: string;
  created_at: string;
  updated_at: string;
  signed_by: string | null;
  /** Ounces, a float as EasyPost sends it. */
  weight: number | null;
  est_delivery_date: string | null;
  shipment_id: string | null;
  carrier: string;
  public_url: string;
  tracking_details: SimTrackingDetail[];
  carrier_detail: Json | null;
  fees: Json[];
}

export interface SimShipment {
  id: string;
  object: 'Shipment';
  mode: 'test';
  reference: string | null;
  status: string;
  to_address: Json;
  from_address: Json;
  return_address: Json;
  buyer_address: Json;
  parcel: Json;
  options: Json;
  rates: Json[];
  selected_rate: Json | null;
  postage_label: Json | null;
  tracking_code: string | null;
  tracker: SimTracker | null;
  refund_status: string | null;
  insurance: string | null;
  is_return: boolean;
  messages: Json[];
  fees: Json[];
  created_at: string;
  updated_at: string;
}

/** An EasyPost error body: `{ error: { code, message, errors } }` (the client library reads exactly this). */
export function errorBody(code: string, message: string, errors: { field: string; message: string }[] = []): Json {
  return { error: { code, message, errors } };
}
