import { badInput } from '../errors.js';

/**
 * A variant's packed size, for parcels and labels: three sides in whole millimetres (like grams
 * for weight, one unit and no conversions until the carrier's edge). Any order of sides: the
 * parcel sorts them. A side is 1 mm to 10 m; null means unknown (weight alone is then quoted).
 */
export const DIMENSION_FIELDS = ['lengthMm', 'widthMm', 'heightMm'] as const;
export type DimensionField = (typeof DIMENSION_FIELDS)[number];
export const MAX_DIMENSION_MM = 10_000;

export function dimensionMm(field: string, value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 1 || value > MAX_DIMENSION_MM)
    throw badInput(field, `must be a whole number of millimetres from 1 to ${MAX_DIMENSION_MM}`, {
      min: 1,
      max: MAX_DIMENSION_MM,
    });
  return value;
}
