import type { EntityManager } from '@mikro-orm/core';
import { crossedIntoLowStockSql } from '../inventory/level-events.js';
import { availableSql, canReserveSql, levelColumns } from '../inventory/stock-level.entity.js';
import { runPrepared } from '../prepared-statement.js';
import { KNOWN_CUSTOMER_FILLS } from './customer-merge.js';
import type { OrderEventRecord, OutboxRecord } from './order-transitions.js';

/**
 * Everything a placement writes, in the columns the tables have: the fast path's one statement
 * takes it as a single JSON parameter.
 */
export interface PlacementRows {
  /** ISO-8601 UTC; the rows' created_at and the `at` of stock.low messages. */
  at: string;
  /** The principal id the stock ledger records. */
  actor: string;
  customer: {
    mode: 'insert' | 'update' | 'none';
    id: string | null;
    email: string | null;
    name: string | null;
    phone: string | null;
  };
  order: Record<string, unknown>;
  lines: Record<string, unknown>[];
  /** Sorted by (variant_id, location_id): the order in which rows are locked. */
  reservations: {
    id: string;
    order_line_id: string;
    variant_id: string;
    location_id: string;
    quantity: number;
    status: 'active';
    created_at: string;
  }[];
  events: (Omit<OrderEventRecord, 'fromStatus' | 'toStatus' | 'actorKind' | 'actorId'> & {
    from_status: string | null;
    to_status: string | null;
    actor_kind: string;
    actor_id: string;
    created_at: string;
  })[];
  /** Order messages written before the stock messages, and after them (the order the general path writes them in). */
  outboxBefore: OutboxRecord[];
  outboxAfter: OutboxRecord[];
}

/** Raised (SQLSTATE SYR01) by switchyard_require when a concurrent order took stock the plan counted on. */
export const STOCK_TAKEN = 'SYR01';

/*
 * One statement, so one implicit transaction and one round trip. Stock rows are locked in
 * (variant, location) order first — the order every writer of levels uses, so concurrent
 * placements queue rather than deadlock — then reserved with the same conditional update as
 * the stock ledger (never more than is available). If any reservation found less available
 * than planned, switchyard_require fails the whole statement and nothing is written. Level
 * messages are built here from the updated rows, as level-events.ts builds them.
 */
const PLACE_SQL = `
with doc as materialized (select ?::jsonb as d),
wanted as materialized (
  select r.variant_id, r.location_id, r.quantity
  from doc, jsonb_to_recordset(doc.d->'reservations') r(variant_id uuid, location_id uuid, quantity integer)
),
locked as materialized (
  select s.variant_id, s.location_id from stock_level s
  -- = any(array(…)) lets the primary key find the few rows instead of scanning the table
  where s.variant_id = any(array(select variant_id from wanted))
    and (s.variant_id, s.location_id) in (select variant_id, location_id from wanted)
  order by s.variant_id, s.location_id
  for update
),
taken as (
  update stock_level s set reserved = s.reserved + w.quantity, updated_at = now()
  from locked l join wanted w using (variant_id, location_id)
  where s.variant_id = l.variant_id and s.location_id = l.location_id
    and ${canReserveSql(levelColumns('s'), 'w.quantity')}
  returning s.variant_id, s.location_id, s.on_hand, s.reserved, s.safety_stock, s.reorder_point, w.quantity
),
new_customer as (
  insert into customer (id, email, name, phone, created_at)
  select (d->'customer'->>'id')::uuid, d->'customer'->>'email', d->'customer'->>'name', d->'customer'->>'phone', (d->>'at')::timestamptz
  from doc where d->'customer'->>'mode' = 'insert'
),
known_customer as (
  -- customer-merge.ts: a known customer's blank fields are filled, nothing is overwritten
  update customer c set ${KNOWN_CUSTOMER_FILLS.map((f) => `${f} = coalesce(c.${f}, d->'customer'->>'${f}')`).join(', ')}
  from doc
  where d->'customer'->>'mode' = 'update' and c.id = (d->'customer'->>'id')::uuid
    and (${KNOWN_CUSTOMER_FILLS.map((f) => `(c.${f} is null and d->'customer'->>'${f}' is not null)`).join(' or ')})
),
new_order as (
  insert into "order" select r.* from doc, jsonb_populate_record(null::"order", doc.d->'order') r
  returning *
),
new_lines as (
  insert into order_line select r.* from doc, jsonb_populate_recordset(null::order_line, doc.d->'lines') r
),
new_reservations as (
  insert into reservation select r.* from doc, jsonb_populate_recordset(null::reservation, doc.d->'reservations') r
),
movements as (
  insert into stock_movement (variant_id, location_id, kind, on_hand_delta, reserved_delta, order_id, actor, created_at)
  select t.variant_id, t.location_id, 'reserved', 0, t.quantity, (d->'order'->>'id')::uuid, d->>'actor', (d->>'at')::timestamptz
  from taken t, doc order by t.variant_id, t.location_id
),
timeline as (
  insert into order_event (order_id, type, from_status, to_status, actor_kind, actor_id, reason, data, created_at)
  select (doc.d->'order'->>'id')::uuid, e.type, e.from_status, e.to_status, e.actor_kind, e.actor_id, e.reason, e.data, e.created_at
  from doc, jsonb_array_elements(doc.d->'events') with ordinality x(v, n), jsonb_populate_record(null::order_event, x.v) e
  order by x.n
),
level_messages as (
  select t.variant_id, t.location_id, 1 as k, 'stock.level_changed' as topic,
    jsonb_build_object('variantId', t.variant_id, 'locationId', t.location_id, 'onHand', t.on_hand, 'reserved', t.reserved,
      'safetyStock', t.safety_stock, 'reorderPoint', t.reorder_point, 'available', ${availableSql(levelColumns('t'))}) as payload
  from taken t
  union all
  select t.variant_id, t.location_id, 2, 'stock.low',
    jsonb_build_object('variantId', t.variant_id, 'locationId', t.location_id, 'onHand', t.on_hand, 'reserved', t.reserved,
      'safetyStock', t.safety_stock, 'reorderPoint', t.reorder_point, 'available', ${availableSql(levelColumns('t'))}, 'at', doc.d->>'at')
  from taken t, doc
  -- low now, and not low before this reservation: once per crossing (level-events.ts)
  where ${crossedIntoLowStockSql(levelColumns('t'), 't.quantity')}
),
messages as (
  insert into outbox_event (topic, aggregate_id, payload, created_at)
  select m.topic, m.aggregate_id, m.payload, (select (d->>'at')::timestamptz from doc)
  from (
    select 1 as part, x.n as n, null::uuid as variant_id, null::uuid as location_id, 0 as k,
      x.v->>'topic' as topic, x.v->>'aggregateId' as aggregate_id, x.v->'payload' as payload
    from doc, jsonb_array_elements(doc.d->'outboxBefore') with ordinality x(v, n)
    union all
    select 2, 0, l.variant_id, l.location_id, l.k, l.topic, l.variant_id::text, l.payload from level_messages l
    union all
    select 3, x.n, null, null, 0, x.v->>'topic', x.v->>'aggregateId', x.v->'payload'
    from doc, jsonb_array_elements(doc.d->'outboxAfter') with ordinality x(v, n)
  ) m
  order by m.part, m.n, m.variant_id, m.location_id, m.k
)
select o.*, switchyard_require(
    (select count(*) from taken) = (select jsonb_array_length(d->'reservations') from doc),
    'stock_taken: a concurrent order reserved stock this placement planned on') as placed
from new_order o`;

/** Writes a placement in one statement; returns the order row as stored. Throws SYR01 (STOCK_TAKEN) when stock was taken meanwhile. */
export async function writePlacement(em: EntityManager, rows: PlacementRows): Promise<Record<string, unknown>> {
  const result = await runPrepared<Record<string, unknown>>(em, 'switchyard_place_order', PLACE_SQL, [
    JSON.stringify(rows),
  ]);
  const { placed: _placed, ...order } = result[0]!;
  return order;
}
