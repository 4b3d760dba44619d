import { randomUUID } from 'node:crypto';
import type { Orm } from '../database.js';

/**
 * Synthetic orders for benchmarks and demos, written straight in SQL in batches (the domain
 * path places a few hundred orders a second; a million would take an hour). Every order is on
 * the `direct` channel with 3 lines of the 100 SEED-n SKUs, consistent totals, a status drawn
 * across the lifecycle and a creation time spread over the last 365 days. Orders are marked by
 * number `SEED-n`, so reseeding continues where the last run stopped.
 */
const STATUSES = [
  'PENDING',
  'CONFIRMED',
  'ON_HOLD',
  'PAYMENT_AUTHORIZED',
  'ALLOCATED',
  'BACKORDERED',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'DELIVERED',
  'COMPLETED',
  'CANCELLED',
];
const SKUS = 100;
const BATCH = 10_000;
const UNIT_PRICE = 1_000;

export interface SeedProgress {
  done: number;
  total: number;
  perSecond: number;
}

async function seedVariants(orm: Orm): Promise<{ ids: string[]; skus: string[] }> {
  const connection = orm.em.fork().getConnection();
  const existing = await connection.execute<{ id: string; sku: string }[]>(
    "select id, sku from variant where sku like 'SEED-%' order by sku",
  );
  if (existing.length >= SKUS)
    return { ids: existing.map((v: { id: string }) => v.id), skus: existing.map((v: { sku: string }) => v.sku) };
  const productId = randomUUID();
  await connection.execute('insert into product (id, title) values (?, ?)', [productId, 'Seed product']);
  await connection.execute(
    `insert into variant (id, product_id, sku, title, price_amount, currency)
     select gen_random_uuid(), ?, 'SEED-' || g, 'Seed item ' || g, ${UNIT_PRICE}, 'USD' from generate_series(1, ${SKUS}) g
     on conflict (sku) do nothing`,
    [productId],
  );
  return seedVariants(orm);
}

export async function seedOrders(orm: Orm, count: number, onProgress: (p: SeedProgress) => void): Promise<number> {
  if (!Number.isInteger(count) || count < 1 || count > 100_000_000)
    throw new Error('--count must be a whole number from 1 to 100000000');
  const { ids, skus } = await seedVariants(orm);
  const connection = orm.em.fork().getConnection();
  const [{ n: already }] = (await connection.execute<{ n: string }[]>(
    'select count(*) as n from "order" where number like \'SEED-%\'',
  )) as [{ n: string }];
  const start = Number(already) + 1;
  const idArray = `array[${ids.map((id) => `'${id}'::uuid`).join(',')}]`;
  const skuArray = `array[${skus.map((s) => `'${s}'`).join(',')}]`;
  const statusArray = `array[${STATUSES.map((s) => `'${s}'`).join(',')}]`;
  const started = Date.now();
  for (let from = start; from < start + count; from += BATCH) {
    const to = Math.min(from + BATCH - 1, start + count - 1);
    await connection.execute(`
      with o as (
        insert into "order" (id, number, channel_id, external_id, status, source, currency, subtotal_amount, total_amount, placed_at, created_at, updated_at)
        select gen_random_uuid(), 'SEED-' || g, 'direct', 'SEED-' || g, (${statusArray})[1 + (g::bigint * 7919) % ${STATUSES.length}], 'web', 'USD',
               ${3 * UNIT_PRICE}, ${3 * UNIT_PRICE}, ts, ts, ts
        from generate_series(${from}, ${to}) g,
             lateral (select now() - ((g::bigint * 104729) % 31536000) * interval '1 second' as ts) t
        returning id, (substr(number, 6))::bigint as g
      )
      insert into order_line (id, order_id, position, variant_id, sku, title, quantity, unit_price_amount, line_total_amount)
      select gen_random_uuid(), o.id, p, (${idArray})[1 + (o.g * 3 + p) % ${SKUS}], (${skuArray})[1 + (o.g * 3 + p) % ${SKUS}],
             'Seed item', 1, ${UNIT_PRICE}, ${UNIT_PRICE}
      from o cross join generate_series(0, 2) p`);
    const done = to - start + 1;
    onProgress({ done, total: count, perSecond: Math.round(done / ((Date.now() - started) / 1000)) });
  }
  await connection.execute('analyze "order"');
  await connection.execute('analyze order_line');
  return count;
}

/** A one-line progress bar for a terminal: `[#####-----] 50% 500,000/1,000,000 orders, 12,345/s`. */
export function progressBar(p: SeedProgress, width = 30): string {
  const filled = Math.round((p.done / p.total) * width);
  const pct = Math.floor((p.done / p.total) * 100);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct}% ${p.done.toLocaleString('en')}/${p.total.toLocaleString('en')} orders, ${p.perSecond.toLocaleString('en')}/s`;
}
