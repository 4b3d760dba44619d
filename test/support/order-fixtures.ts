import type { OperationContext } from '../../src/domain/context.js';
import type { Order } from '../../src/domain/orders/order.entity.js';
import { placeOrder, type PlaceOrderDeps } from '../../src/domain/orders/place-order.service.js';
import { manualPaymentProvider } from '../../src/domain/payments/payment-provider.js';
import { ADDRESS, createLocations, createSku, stock } from './commerce.js';
import { sql } from './database.js';

/** Channels the order fixtures use besides `direct`. */
export const FIXTURE_CHANNELS = ['direct', 'shop-a', 'shop-b'] as const;

/** Buyers, including names with LIKE wildcards, so search escaping is exercised. */
export const FIXTURE_CUSTOMERS = [
  { email: 'ada@example.com', name: 'Ada Lovelace' },
  { email: 'grace@example.com', name: 'Grace Hopper' },
  { email: 'fifty@example.com', name: 'Fifty 50% Off' },
  { email: 'snake_case@example.com', name: 'Snake_Case' },
  { email: 'anon@example.org', name: null },
  null,
];

export const FIXTURE_HOLD_ABOVE = 200_000;
const deps: PlaceOrderDeps = { payments: manualPaymentProvider, policy: { holdTotalAbove: FIXTURE_HOLD_ABOVE } };

/** Catalog, one stocked location and the extra channels; call once per database. */
export async function seedCatalog(ctx: OperationContext, databaseUrl: string): Promise<void> {
  await sql(
    databaseUrl,
    `insert into channel (id, kind, name) values ('shop-a', 'shopify', 'Shop A'), ('shop-b', 'amazon', 'Shop B') on conflict do nothing`,
  );
  const { MAIN } = await createLocations(ctx, [{ code: 'MAIN' }]);
  await createSku(ctx, 'A1', 1500);
  await createSku(ctx, 'B2', 4200);
  await createSku(ctx, 'C3', 999); // never stocked: orders with it are BACKORDERED
  await createSku(ctx, 'GOLD', 250_000); // above the hold threshold: ON_HOLD
  for (const sku of ['A1', 'B2', 'GOLD']) await stock(ctx, sku, MAIN!, 1_000_000);
}

/**
 * Places `count` random orders (seeded) over the fixture channels and customers, then spreads
 * their created/updated times over a few hours with deliberate ties, so sorts must break ties
 * by id. Returns the orders as placed.
 */
export async function seedOrders(
  ctx: () => OperationContext,
  databaseUrl: string,
  random: () => number,
  count: number,
  prefix = 'fx',
): Promise<Order[]> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const orders: Order[] = [];
  for (let i = 0; i < count; i++) {
    const channelId = pick(FIXTURE_CHANNELS);
    const skus = ['A1', 'B2', 'C3', 'GOLD'].filter(
      (sku) => random() < (sku === 'GOLD' ? 0.1 : sku === 'C3' ? 0.15 : 0.6),
    );
    if (skus.length === 0) skus.push('A1');
    orders.push(
      await placeOrder(ctx(), deps, {
        channelId,
        externalId: channelId === 'direct' ? null : `${prefix}-${channelId}-${i}`,
        currency: 'USD',
        customer: pick(FIXTURE_CUSTOMERS),
        shippingAddress: ADDRESS,
        lines: skus.map((sku) => ({ sku, quantity: 1 + Math.floor(random() * 2) })),
      }),
    );
  }
  const base = Date.parse('2026-03-01T08:00:00.000Z');
  for (const order of orders) {
    const created = new Date(base + Math.floor(random() * 40) * 60_000);
    const updated = new Date(created.getTime() + Math.floor(random() * 5) * 600_000);
    await sql(databaseUrl, 'update "order" set created_at = $2, updated_at = $3 where id = $1', [
      order.id,
      created.toISOString(),
      updated.toISOString(),
    ]);
  }
  return orders;
}

/** What the database holds about every order, for computing expected answers independently of the API. */
export interface OrderRow {
  id: string;
  number: string;
  external_id: string;
  channel_id: string;
  status: string;
  customer_id: string | null;
  email: string | null;
  customer_name: string | null;
  total_amount: number;
  created_at: Date;
  updated_at: Date;
}

export async function orderRows(databaseUrl: string): Promise<OrderRow[]> {
  return sql<OrderRow>(
    databaseUrl,
    `select o.id, o.number, o.external_id, o.channel_id, o.status, o.customer_id, o.email, c.name as customer_name,
            o.total_amount::float8 as total_amount, o.created_at, o.updated_at
       from "order" o left join customer c on c.id = o.customer_id`,
  );
}
