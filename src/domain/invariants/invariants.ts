import type { EntityManager } from '@mikro-orm/core';

/**
 * The invariants no test, fault or race may break (RELIABILITY R12), checked with plain SQL on a
 * live database. Each check returns up to 20 offending rows as readable lines.
 */
const CHECKS: { name: string; sql: string }[] = [
  {
    name: 'stock levels equal the sum of their ledger',
    sql: `select s.variant_id || '/' || s.location_id || ': on_hand ' || s.on_hand || ' vs ledger ' || coalesce(m.on_hand, 0)
            || ', reserved ' || s.reserved || ' vs ledger ' || coalesce(m.reserved, 0) as problem
          from stock_level s
          left join (select variant_id, location_id, sum(on_hand_delta) as on_hand, sum(reserved_delta) as reserved
                     from stock_movement group by variant_id, location_id) m
            on m.variant_id = s.variant_id and m.location_id = s.location_id
          where s.on_hand <> coalesce(m.on_hand, 0) or s.reserved <> coalesce(m.reserved, 0)
          limit 20`,
  },
  {
    name: '0 ≤ reserved ≤ on hand',
    sql: `select variant_id || '/' || location_id || ': on_hand ' || on_hand || ', reserved ' || reserved as problem
          from stock_level where reserved < 0 or reserved > on_hand or on_hand < 0 limit 20`,
  },
  {
    name: 'reserved equals the active reservations',
    sql: `select s.variant_id || '/' || s.location_id || ': reserved ' || s.reserved || ' vs active reservations ' || coalesce(r.q, 0) as problem
          from stock_level s
          left join (select variant_id, location_id, sum(quantity) as q from reservation where status = 'active' group by variant_id, location_id) r
            on r.variant_id = s.variant_id and r.location_id = s.location_id
          where s.reserved <> coalesce(r.q, 0)
          limit 20`,
  },
  {
    name: 'allocated lines are covered by their reservations',
    sql: `select l.id || ' (' || l.sku || '): allocated ' || l.quantity_allocated || ' vs reservations ' || coalesce(r.q, 0) as problem
          from order_line l
          left join (select order_line_id, sum(quantity) as q from reservation where status in ('active', 'consumed') group by order_line_id) r
            on r.order_line_id = l.id
          where l.quantity_allocated <> coalesce(r.q, 0)
          limit 20`,
  },
  {
    name: 'order lines never allocate, ship or cancel more than ordered',
    sql: `select id || ' (' || sku || '): quantity ' || quantity || ', allocated ' || quantity_allocated || ', cancelled ' || quantity_cancelled as problem
          from order_line where quantity_allocated + quantity_cancelled > quantity or quantity_shipped > quantity_allocated limit 20`,
  },
  {
    name: 'order totals add up',
    sql: `select o.number || ': subtotal ' || o.subtotal_amount || ' vs lines ' || coalesce(sum(l.line_total_amount), 0) as problem
          from "order" o left join order_line l on l.order_id = o.id
          group by o.id having o.subtotal_amount <> coalesce(sum(l.line_total_amount), 0)
          limit 20`,
  },
  {
    name: '(channel, external id) is unique',
    sql: `select channel_id || '/' || external_id || ' appears ' || count(*) || ' times' as problem
          from "order" group by channel_id, external_id having count(*) > 1 limit 20`,
  },
  {
    name: 'shipped quantities equal what shipped shipments carry and consumed',
    sql: `select l.id || ' (' || l.sku || '): shipped ' || l.quantity_shipped || ' vs shipments ' || coalesce(s.q, 0) || ', consumed reservations ' || coalesce(r.q, 0) as problem
          from order_line l
          left join (select sl.order_line_id, sum(sl.quantity) as q from shipment_line sl join shipment sh on sh.id = sl.shipment_id
                     where sh.status in ('shipped', 'delivered') group by sl.order_line_id) s on s.order_line_id = l.id
          left join (select order_line_id, sum(quantity) as q from reservation where status = 'consumed' group by order_line_id) r on r.order_line_id = l.id
          where l.quantity_shipped <> coalesce(s.q, 0) or l.quantity_shipped <> coalesce(r.q, 0)
          limit 20`,
  },
  {
    name: 'shipments waiting to ship claim only units held at their location',
    sql: `select c.order_line_id || ' at ' || c.location_id || ': shipments claim ' || c.q || ', held ' || coalesce(r.q, 0) as problem
          from (select sl.order_line_id, sh.location_id, sum(sl.quantity) as q from shipment_line sl join shipment sh on sh.id = sl.shipment_id
                where sh.status = 'created' group by sl.order_line_id, sh.location_id) c
          left join (select order_line_id, location_id, sum(quantity) as q from reservation where status = 'active' group by order_line_id, location_id) r
            on r.order_line_id = c.order_line_id and r.location_id = c.location_id
          where c.q > coalesce(r.q, 0)
          limit 20`,
  },
  {
    name: 'returns never take back more than shipped',
    sql: `select l.id || ' (' || l.sku || '): shipped ' || l.quantity_shipped || ', returning ' || t.q as problem
          from order_line l
          join (select rl.order_line_id,
                       sum(case when rr.status in ('received', 'refunded') then coalesce(rl.received_quantity, 0) else rl.quantity end) as q
                from return_line rl join return_request rr on rr.id = rl.return_id
                where rr.status <> 'rejected' group by rl.order_line_id) t on t.order_line_id = l.id
          where t.q > l.quantity_shipped
          limit 20`,
  },
  {
    // Each capture and refund the gateway confirmed is one step the hub recorded, and the other
    // way round: money moved once per step (RELIABILITY R4, R8), none moved that the hub missed.
    name: 'card payments captured and refunded what their steps did',
    sql: `select p.order_id || ': captured ' || p.captured_amount || ' vs steps ' || coalesce(s.captured, 0)
            || ', refunded ' || p.refunded_amount || ' vs steps ' || coalesce(s.refunded, 0) as problem
          from payment p
          left join (select order_id,
                            sum(amount) filter (where kind = 'capture') as captured,
                            sum(amount) filter (where kind = 'refund') as refunded
                     from payment_step where status = 'succeeded' group by order_id) s on s.order_id = p.order_id
          where p.captured_amount <> coalesce(s.captured, 0) or p.refunded_amount <> coalesce(s.refunded, 0)
          limit 20`,
  },
];

export interface InvariantViolation {
  invariant: string;
  problems: string[];
}

export async function checkInvariants(em: EntityManager): Promise<InvariantViolation[]> {
  const violations: InvariantViolation[] = [];
  const connection = em.getConnection();
  for (const check of CHECKS) {
    const rows = await connection.execute<{ problem: string }[]>(check.sql);
    if (rows.length > 0)
      violations.push({ invariant: check.name, problems: rows.map((r: { problem: string }) => r.problem) });
  }
  return violations;
}

export const INVARIANT_NAMES = CHECKS.map((c) => c.name);
