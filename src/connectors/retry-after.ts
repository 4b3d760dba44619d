/**
 * Retry-After as seconds ("2", or "2.0" as Shopify sends it) or an HTTP date; undefined when
 * unusable. Shared by every connector's error mapping, so a 429 is read the same everywhere.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
