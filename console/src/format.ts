/** Money arrives in integer minor units with its ISO 4217 currency. */
export function formatMoney(money: { amount: number; currency: string }): string {
  const format = new Intl.NumberFormat(undefined, { style: 'currency', currency: money.currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.amount / 10 ** digits);
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** ON_HOLD → "On hold". */
export function statusLabel(status: string): string {
  const words = status.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Every order status, in lifecycle order (schema.graphql's OrderStatus). */
export const ORDER_STATUSES = [
  'PENDING',
  'PAYMENT_AUTHORIZED',
  'CONFIRMED',
  'ALLOCATED',
  'BACKORDERED',
  'ON_HOLD',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'DELIVERED',
  'COMPLETED',
  'CANCELLED',
] as const;
