/**
 * Sourcing: which locations ship which units of an order. Pure — it decides from a snapshot of
 * availability; the allocation service then reserves atomically and re-plans what a race took.
 *
 * Rules, in order: only eligible locations (active, shipping online for the order's channel);
 * prefer one location that can ship everything, the nearest to the address (great-circle
 * distance when both have coordinates, else same country and region, else priority); otherwise
 * the fewest locations; what no location has is the shortfall.
 */
export interface SourcingLine {
  lineId: string;
  variantId: string;
  sku: string;
  quantity: number;
}

export interface CandidateLocation {
  id: string;
  code: string;
  priority: number;
  latitude: number | null;
  longitude: number | null;
  countryCode: string;
  region: string | null;
}

export interface Destination {
  countryCode: string;
  region?: string | null;
  latitude?: number | null;
  longitude?: number | null;
}

/** Where an order ships to, as sourcing ranks locations by it; null without an address. */
export function destinationOf(address: Destination | null | undefined): Destination | null {
  if (!address) return null;
  return {
    countryCode: address.countryCode,
    region: address.region ?? null,
    latitude: address.latitude ?? null,
    longitude: address.longitude ?? null,
  };
}

export interface Assignment {
  lineId: string;
  variantId: string;
  locationId: string;
  quantity: number;
}

export interface SourcingPlan {
  assignments: Assignment[];
  shortfall: { lineId: string; sku: string; quantity: number }[];
  explanation: string;
}

export const availabilityKey = (variantId: string, locationId: string) => `${variantId}|${locationId}`;

const EARTH_RADIUS_KM = 6371;

export function distanceKm(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(h));
}

interface Ranked {
  location: CandidateLocation;
  km: number | null;
  why: string;
}

/** Orders candidates nearest first: by distance when known, else same country/region, else priority. */
export function rankLocations(candidates: CandidateLocation[], destination: Destination | null): Ranked[] {
  const ranked = candidates.map((location): Ranked & { tier: number } => {
    const coords =
      destination?.latitude != null &&
      destination.longitude != null &&
      location.latitude !== null &&
      location.longitude !== null;
    const km = coords
      ? distanceKm(
          { latitude: location.latitude!, longitude: location.longitude! },
          { latitude: destination!.latitude!, longitude: destination!.longitude! },
        )
      : null;
    const sameCountry = destination !== null && location.countryCode === destination.countryCode;
    const sameRegion = sameCountry && !!destination?.region && location.region === destination.region;
    const tier = km !== null ? 0 : sameRegion ? 1 : sameCountry ? 2 : 3;
    const why =
      km !== null
        ? `${Math.round(km)} km from the address`
        : sameRegion
          ? 'same region'
          : sameCountry
            ? 'same country'
            : `priority ${location.priority}`;
    return { location, km, why, tier };
  });
  ranked.sort(
    (a, b) =>
      a.tier - b.tier ||
      (a.km ?? 0) - (b.km ?? 0) ||
      a.location.priority - b.location.priority ||
      a.location.code.localeCompare(b.location.code),
  );
  return ranked;
}

export function planSourcing(
  lines: SourcingLine[],
  candidates: CandidateLocation[],
  available: ReadonlyMap<string, number>,
  destination: Destination | null,
): SourcingPlan {
  const ranked = rankLocations(candidates, destination);
  const have = (variantId: string, locationId: string) =>
    Math.max(0, available.get(availabilityKey(variantId, locationId)) ?? 0);
  const linesCovered = (locationId: string) => lines.filter((l) => have(l.variantId, locationId) >= l.quantity).length;

  if (ranked.length === 0) {
    return {
      assignments: [],
      shortfall: lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity })),
      explanation: 'no active location ships for this channel',
    };
  }

  const whole = ranked.find((r) => linesCovered(r.location.id) === lines.length);
  if (whole) {
    const others = ranked
      .filter((r) => r !== whole)
      .map((r) => `${r.location.code} had ${linesCovered(r.location.id)} of ${lines.length}`)
      .slice(0, 3);
    const all = lines.length === 1 ? 'the line' : `all ${lines.length} lines`;
    return {
      assignments: lines.map((l) => ({
        lineId: l.lineId,
        variantId: l.variantId,
        locationId: whole.location.id,
        quantity: l.quantity,
      })),
      shortfall: [],
      explanation: `${all} from ${whole.location.code}, ${whole.why}${others.length ? `; ${others.join(', ')}` : ''}`,
    };
  }

  // Fewest locations: repeatedly take the location that covers the most remaining units.
  const remaining = new Map(lines.map((l) => [l.lineId, l.quantity]));
  const left = new Map(
    ranked.map((r) => [r.location.id, new Map(lines.map((l) => [l.lineId, have(l.variantId, r.location.id)]))]),
  );
  const assignments: Assignment[] = [];
  const used: string[] = [];
  for (;;) {
    let best: { r: Ranked; units: number } | undefined;
    for (const r of ranked) {
      const stock = left.get(r.location.id)!;
      const units = lines.reduce((sum, l) => sum + Math.min(remaining.get(l.lineId)!, stock.get(l.lineId)!), 0);
      if (units > 0 && (!best || units > best.units)) best = { r, units };
    }
    if (!best) break;
    const stock = left.get(best.r.location.id)!;
    const parts: string[] = [];
    for (const l of lines) {
      const take = Math.min(remaining.get(l.lineId)!, stock.get(l.lineId)!);
      if (take <= 0) continue;
      assignments.push({ lineId: l.lineId, variantId: l.variantId, locationId: best.r.location.id, quantity: take });
      remaining.set(l.lineId, remaining.get(l.lineId)! - take);
      stock.set(l.lineId, stock.get(l.lineId)! - take);
      parts.push(`${take}× ${l.sku}`);
    }
    used.push(`${parts.join(', ')} from ${best.r.location.code} (${best.r.why})`);
  }
  const shortfall = lines
    .filter((l) => remaining.get(l.lineId)! > 0)
    .map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: remaining.get(l.lineId)! }));
  const short = shortfall.map((s) => `${s.quantity}× ${s.sku}`).join(', ');
  const explanation =
    used.length === 0
      ? `no eligible location has stock; short ${short}`
      : `split over ${used.length} location${used.length > 1 ? 's' : ''}: ${used.join('; ')}${short ? `; short ${short}` : ''}`;
  return { assignments, shortfall, explanation };
}
