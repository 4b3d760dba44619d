import { DomainError, ErrorCode } from '../errors.js';
import type { Parcel } from './carrier.js';

/** What one shipment line weighs and measures, per unit (the variant's catalogue data). */
export interface ParcelItem {
  sku: string;
  quantity: number;
  weightGrams: number | null;
  lengthMm: number | null;
  widthMm: number | null;
  heightMm: number | null;
}

/**
 * The parcel a shipment makes: the weight of every unit, and a box that holds them laid flat and
 * stacked (the longest and middle sides of the largest unit, the units' smallest sides piled up).
 * Carriers rate on the larger of actual and dimensional weight, so a box too small would be
 * re-billed: this errs on the large side. Without every unit's three sides, only the weight is
 * given (carriers then quote on weight). A unit without a weight is refused: a label bought on a
 * wrong weight is re-billed or returned.
 */
export function parcelOf(items: readonly ParcelItem[]): Parcel {
  const unweighed = items.filter((i) => i.weightGrams === null || i.weightGrams <= 0).map((i) => i.sku);
  if (unweighed.length > 0)
    throw new DomainError(
      ErrorCode.BAD_USER_INPUT,
      `No weight for ${unweighed.join(', ')}: set weightGrams on the variant${unweighed.length === 1 ? '' : 's'} (updateProduct) before buying a label`,
      { field: 'weightGrams', skus: unweighed },
    );
  const weightGrams = items.reduce((sum, i) => sum + i.weightGrams! * i.quantity, 0);
  const measured = items.every((i) => i.lengthMm !== null && i.widthMm !== null && i.heightMm !== null);
  if (!measured || items.length === 0) return { weightGrams, lengthMm: null, widthMm: null, heightMm: null };
  let lengthMm = 0;
  let widthMm = 0;
  let heightMm = 0;
  for (const i of items) {
    const [long, middle, short] = [i.lengthMm!, i.widthMm!, i.heightMm!].sort((a, b) => b - a) as [
      number,
      number,
      number,
    ];
    lengthMm = Math.max(lengthMm, long);
    widthMm = Math.max(widthMm, middle);
    heightMm += short * i.quantity;
  }
  return { weightGrams, lengthMm, widthMm, heightMm };
}
