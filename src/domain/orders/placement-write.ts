import type { EntityManager } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
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

/** The reservation rows of a plan's assignments (in the order given: the order rows are locked in). */
export function reservationRows(
  assignments: readonly { lineId: string; variantId: string; locationId: string; quantity: number }[],
  at: string,
): PlacementRows['reservations'] {
  return assignments.map((r) => ({
    id: randomUUID(),
    order_line_id: r.lineId,
    variant_id: r.variantId,
    location_id: r.locationId,
    quantity: r.quantity,
    status: 'active',
    created_at: at,
  }));
}

/** Raised (SQLSTATE SYR01) by switchyard_require when a concurrent order took stock the plan counted on. */
export const STOCK_TAKEN = 'SYR01';

/*
 * One statement, so one implicit transaction and one round trip, for one placement or a batch
 * of them (channel ingestion writes many new orders at once). Stock rows are locked in
 * (variant, location) order first — the order every writer of levels uses, so concurrent
 * placements queue rather than deadlock — then reserved with the same conditional update as the
 * stock ledger (never more than is available), once per level for the whole batch. If any level
 * had less available than the batch planned on, switchyard_require fails the whole statement and
 * nothing is written. Level messages are built here from the updated rows, as level-events.ts
 * builds them: one per level the statement changed, with the level after it.
 *
 * The batch's clock (`at` of level messages and of the outbox rows) is its first placement's.
 * Customers: the planner names each new customer once (`insert`) and each known one at most once
 * (`update`, blank fields filled); later placements of the batch only point at them.
 */
const PLACE_SQL = `
with doc as materialized (select ?::jsonb as d),
placement as materialized (
  select x.n, x.v as p from doc, jsonb_array_elements(doc.d) with ordinality x(v, n)
),
batch as materialized (select p->>'at' as at_text, (p->>'at')::timestamptz as at from placement where n = 1),
reserving as materialized (
  select pl.n, (pl.p->'order'->>'id')::uuid as order_id, pl.p->>'actor' as actor, (pl.p->>'at')::timestamptz as at,
    r.variant_id, r.location_id, r.quantity
  from placement pl, jsonb_to_recordset(pl.p->'reservations') r(variant_id uuid, location_id uuid, quantity integer)
),
wanted as materialized (
  select variant_id, location_id, sum(quantity)::integer as quantity from reserving group by variant_id, location_id
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
customer_rows as materialized (
  select pl.n, pl.p->'customer' as c, (pl.p->>'at')::timestamptz as at from placement pl
),
new_customer as (
  insert into customer (id, email, name, phone, created_at)
  select (c->>'id')::uuid, c->>'email', c->>'name', c->>'phone', at
  from customer_rows where c->>'mode' = 'insert' order by n
),
known_customer as (
  -- customer-merge.ts: a known customer's blank fields are filled, nothing is overwritten
  update customer c set ${KNOWN_CUSTOMER_FILLS.map((f) => `${f} = coalesce(c.${f}, k.c->>'${f}')`).join(', ')}
  from customer_rows k
  where k.c->>'mode' = 'update' and c.id = (k.c->>'id')::uuid
    and (${KNOWN_CUSTOMER_FILLS.map((f) => `(c.${f} is null and k.c->>'${f}' is not null)`).join(' or ')})
),
new_order as (
  insert into "order" select r.* from placement pl, jsonb_populate_record(null::"order", pl.p->'order') r order by pl.n
  returning *
),
new_lines as (
  insert into order_line select r.* from placement pl, jsonb_populate_recordset(null::order_line, pl.p->'lines') r
),
new_reservations as (
  insert into reservation select r.* from placement pl, jsonb_populate_recordset(null::reservation, pl.p->'reservations') r
),
movements as (
  insert into stock_movement (variant_id, location_id, kind, on_hand_delta, reserved_delta, order_id, actor, created_at)
  select r.variant_id, r.location_id, 'reserved', 0, sum(r.quantity), r.order_id, r.actor, r.at
  from reserving r group by r.n, r.order_id, r.actor, r.at, r.variant_id, r.location_id
  order by r.n, r.variant_id, r.location_id
),
timeline as (
  insert into order_event (order_id, type, from_status, to_status, actor_kind, actor_id, reason, data, created_at)
  select (pl.p->'order'->>'id')::uuid, e.type, e.from_status, e.to_status, e.actor_kind, e.actor_id, e.reason, e.data, e.created_at
  from placement pl, jsonb_array_elements(pl.p->'events') with ordinality x(v, m), jsonb_populate_record(null::order_event, x.v) e
  order by pl.n, x.m
),
level_messages as (
  select t.variant_id, t.location_id, 1 as k, 'stock.level_changed' as topic,
    jsonb_build_object('variantId', t.variant_id, 'locationId', t.location_id, 'onHand', t.on_hand, 'reserved', t.reserved,
      'safetyStock', t.safety_stock, 'reorderPoint', t.reorder_point, 'available', ${availableSql(levelColumns('t'))}) as payload
  from taken t
  union all
  select t.variant_id, t.location_id, 2, 'stock.low',
    jsonb_build_object('variantId', t.variant_id, 'locationId', t.location_id, 'onHand', t.on_hand, 'reserved', t.reserved,
      'safetyStock', t.safety_stock, 'reorderPoint', t.reorder_point, 'available', ${availableSql(levelColumns('t'))},
      'at', b.at_text)
  from taken t, batch b
  -- low now, and not low before this statement's reservations: once per crossing (level-events.ts)
  where ${crossedIntoLowStockSql(levelColumns('t'), 't.quantity')}
),
messages as (
  insert into outbox_event (topic, aggregate_id, payload, created_at)
  select m.topic, m.aggregate_id, m.payload, (select at from batch)
  from (
    select 1 as part, pl.n, x.m, null::uuid as variant_id, null::uuid as location_id, 0 as k,
      x.v->>'topic' as topic, x.v->>'aggregateId' as aggregate_id, x.v->'payload' as payload
    from placement pl, jsonb_array_elements(pl.p->'outboxBefore') with ordinality x(v, m)
    union all
    select 2, 0, 0, l.variant_id, l.location_id, l.k, l.topic, l.variant_id::text, l.payload from level_messages l
    union all
    select 3, pl.n, x.m, null, null, 0, x.v->>'topic', x.v->>'aggregateId', x.v->'payload'
    from placement pl, jsonb_array_elements(pl.p->'outboxAfter') with ordinality x(v, m)
  ) m
  order by m.part, m.n, m.m, m.variant_id, m.location_id, m.k
)
select o.*, switchyard_require(
    (select count(*) from taken) = (select count(*) from wanted),
    'stock_taken: a concurrent order reserved stock this placement planned on') as placed
from new_order o`;

/** Writes a placement in one statement; returns the order row as stored. Throws SYR01 (STOCK_TAKEN) when stock was taken meanwhile. */
export async function writePlacement(em: EntityManager, rows: PlacementRows): Promise<Record<string, unknown>> {
  return (await writePlacements(em, [rows]))[0]!;
}

/**
 * Writes a batch of placements in one statement (all or nothing); returns the order rows as
 * stored, keyed by order id. Throws SYR01 (STOCK_TAKEN) when stock was taken meanwhile.
 */
export async function writePlacements(
  em: EntityManager,
  batch: readonly PlacementRows[],
): Promise<Record<string, unknown>[]> {
  if (batch.length === 0) return [];
  const result = await runPrepared<Record<string, unknown>>(em, 'switchyard_place_orders', PLACE_SQL, [
    JSON.stringify(batch),
  ]);
  const byId = new Map(result.map(({ placed: _placed, ...order }) => [order.id as string, order]));
  return batch.map((rows) => byId.get(rows.order.id as string)!);
}
