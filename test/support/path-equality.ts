import { adjustStock } from '../../src/domain/orders/stock-change.service.js';
import type { Orm } from '../../src/platform/database.js';
import { contextFor } from './context.js';
import { sql } from './database.js';

/*
 * Shared by the tests that prove a fast path writes exactly what the general path writes
 * (orders-place-fast-path, channel-batch-create): two databases seeded alike, the same script on
 * both, every row compared once generated ids are replaced by readable labels.
 */

/**
 * Calls `onNamed` for every named (prepared) statement the ORM's pg pool runs; when it returns a
 * function, that runs right after the statement answered (a concurrent change, on cue).
 */
export async function watchNamedStatements(
  orm: Orm,
  onNamed: (statement: { name: string; text?: string }) => (() => Promise<void>) | null | undefined,
): Promise<void> {
  const pool = await (
    orm.em.getConnection() as unknown as { getNativeClient(): Promise<{ query: (...args: unknown[]) => unknown }> }
  ).getNativeClient();
  const query = pool.query.bind(pool);
  pool.query = (...args: unknown[]) => {
    const first = args[0] as { name?: string; text?: string } | string;
    if (typeof first !== 'object' || !first?.name) return query(...args);
    const cue = onNamed({ name: first.name, text: first.text });
    if (!cue) return query(...args);
    return (query(...args) as Promise<unknown>).then(async (result) => {
      await cue();
      return result;
    });
  };
}

/**
 * A concurrent change that takes every unreserved unit of a SKU (adjusted away), and gives it
 * back after, so later orders find stock again.
 */
export function stockTaker(
  url: string,
  orm: Orm,
  sku: string,
): { take: () => Promise<void>; giveBack: () => Promise<void> } {
  let taken: { location_id: string; free: number }[] = [];
  const change = (l: { location_id: string }, delta: number) =>
    adjustStock(contextFor(orm.em), { sku, locationId: l.location_id, delta, reason: 'taken meanwhile' });
  return {
    async take() {
      taken = await sql<{ location_id: string; free: number }>(
        url,
        `select s.location_id, s.on_hand - s.reserved as free from stock_level s join variant v on v.id = s.variant_id
          join location l on l.id = s.location_id where v.sku = $1 and s.on_hand > s.reserved order by l.code`,
        [sku],
      );
      for (const l of taken) await change(l, -l.free);
    },
    async giveBack() {
      for (const l of taken) await change(l, l.free);
    },
  };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * Replaces generated ids with labels (variant:SKU, location:CODE, order:NUMBER, line:NUMBER/POS,
 * customer:EMAIL, payment:NUMBER), also inside texts, and drops the keys named in `drop` (ids
 * and clocks). Dates become ISO strings.
 */
export async function idLabeller(url: string, drop: ReadonlySet<string>): Promise<(value: unknown) => unknown> {
  const q = (text: string) => sql<Record<string, unknown>>(url, text);
  const labels = new Map<string, string>();
  for (const r of await q('select id, sku from variant')) labels.set(String(r.id), `variant:${String(r.sku)}`);
  for (const r of await q('select id, code from location')) labels.set(String(r.id), `location:${String(r.code)}`);
  for (const r of await q('select id, number from "order"')) {
    labels.set(String(r.id), `order:${String(r.number)}`);
    labels.set(`manual-${String(r.id)}`, `payment:${String(r.number)}`);
  }
  for (const r of await q('select l.id, o.number, l.position from order_line l join "order" o on o.id = l.order_id'))
    labels.set(String(r.id), `line:${String(r.number)}/${String(r.position)}`);
  for (const r of await q('select id, email, name from customer'))
    labels.set(String(r.id), `customer:${String(r.email ?? r.name)}`);
  const label = (value: unknown): unknown => {
    if (typeof value === 'string') return labels.get(value) ?? value.replace(UUID, (id) => labels.get(id) ?? id);
    if (Array.isArray(value)) return value.map(label);
    if (value instanceof Date) return value.toISOString();
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => !drop.has(k))
          .map(([k, v]) => [k, label(v)]),
      );
    return value;
  };
  return label;
}

type Row = Record<string, unknown>;

/** A comparator over the given fields' texts (labels), for rows whose stored order is random. */
export function byFields(...fields: string[]): (a: Row, b: Row) => number {
  const key = (r: Row) => fields.map((f) => String(r[f] ?? '')).join('|');
  return (a, b) => key(a).localeCompare(key(b));
}
