/**
 * The simulator's rate card: a handful of carriers and services whose prices grow with the
 * billable weight (the larger of actual and dimensional weight, as carriers bill), so rules
 * have real choices to make (cheapest is slow, fastest is dear, two-day options in between).
 */
export interface SimService {
  carrier: string;
  service: string;
  /** Cents: base price and price per billable ounce. */
  baseCents: number;
  perOunceCents: number;
  deliveryDays: number | null;
}

export const SIM_SERVICES: readonly SimService[] = [
  { carrier: 'USPS', service: 'GroundAdvantage', baseCents: 450, perOunceCents: 9, deliveryDays: 5 },
  { carrier: 'USPS', service: 'Priority', baseCents: 790, perOunceCents: 12, deliveryDays: 2 },
  { carrier: 'USPS', service: 'Express', baseCents: 2635, perOunceCents: 20, deliveryDays: 1 },
  { carrier: 'UPS', service: 'Ground', baseCents: 811, perOunceCents: 10, deliveryDays: 4 },
  { carrier: 'UPS', service: '2ndDayAir', baseCents: 1620, perOunceCents: 25, deliveryDays: 2 },
  { carrier: 'FedEx', service: 'FEDEX_GROUND', baseCents: 860, perOunceCents: 8, deliveryDays: 3 },
  // A freight-like service whose transit time the carrier does not commit to.
  { carrier: 'DHLExpress', service: 'EconomySelect', baseCents: 600, perOunceCents: 11, deliveryDays: null },
];

/** Billable ounces: actual weight, or dimensional weight (cubic inches / 139, in pounds) when larger. */
export function billableOunces(parcel: { weight: number; length?: number; width?: number; height?: number }): number {
  const { weight, length, width, height } = parcel;
  const dimensional = length && width && height ? ((length * width * height) / 139) * 16 : 0;
  return Math.max(weight, dimensional);
}

export function priceCents(service: SimService, ounces: number): number {
  return service.baseCents + Math.ceil(ounces) * service.perOunceCents;
}

export const centsText = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
