import type { EntityManager } from '@mikro-orm/core';
import { badInput } from '../errors.js';
import { MAX_VARIANT_UNITS } from '../input-limits.js';
import type { MovementKind } from './stock-movement.entity.js';
import { canReserveSql, levelColumns } from './stock-level.entity.js';

/**
 * The only code that changes stock levels. Each change is one conditional UPDATE on the
 * stock row plus its ledger row, in the caller's transaction, so a level always equals the sum
 * of its ledger and a reservation can never take more than is available — whatever the
 * concurrency. No read-then-write: the condition is checked by the UPDATE itself.
 */
export interface LevelKey {
  variantId: string;
  locationId: string;
}

export interface LevelRow extends LevelKey {
  onHand: number;
  reserved: number;
  safetyStock: number;
  reorderPoint: number;
}

interface Movement extends LevelKey {
  kind: MovementKind;
  onHandDelta: number;
  reservedDelta: number;
  reason?: string | null;
  orderId?: string | null;
  actor: string;
}

/** A `stock_level` row as the driver returns it, for the statements that read levels in SQL. */
export interface StockLevelRecord {
  variant_id: string;
  location_id: string;
  on_hand: number;
  reserved: number;
  safety_stock: number;
  reorder_point: number;
}
type Row = StockLevelRecord;

const toLevel = (r: Row): LevelRow => ({
  variantId: r.variant_id,
  locationId: r.location_id,
  onHand: Number(r.on_hand),
  reserved: Number(r.reserved),
  safetyStock: Number(r.safety_stock),
  reorderPoint: Number(r.reorder_point),
});

const RETURNING = 'returning variant_id, location_id, on_hand, reserved, safety_stock, reorder_point';

async function writeMovement(em: EntityManager, m: Movement): Promise<void> {
  await em.getConnection().execute(
    `insert into stock_movement (variant_id, location_id, kind, on_hand_delta, reserved_delta, reason, order_id, actor)
     values (?, ?, ?, ?, ?, ?, ?, ?)`,
    [m.variantId, m.locationId, m.kind, m.onHandDelta, m.reservedDelta, m.reason ?? null, m.orderId ?? null, m.actor],
    'run',
    em.getTransactionContext(),
  );
}

async function update(em: EntityManager, sql: string, params: unknown[]): Promise<LevelRow | null> {
  const rows = await em
    .getConnection()
    .execute<Row[]>(`${sql} ${RETURNING}`, params, 'all', em.getTransactionContext());
  return rows[0] ? toLevel(rows[0]) : null;
}

/** Holds `quantity` units if that many are available; null (and nothing written) if not. */
export async function reserveStock(
  em: EntityManager,
  key: LevelKey,
  quantity: number,
  orderId: string,
  actor: string,
): Promise<LevelRow | null> {
  const level = await update(
    em,
    `update stock_level set reserved = reserved + ?, updated_at = now()
     where variant_id = ? and location_id = ? and ${canReserveSql(levelColumns(), '?')}`,
    [quantity, key.variantId, key.locationId, quantity],
  );
  if (level)
    await writeMovement(em, { ...key, kind: 'reserved', onHandDelta: 0, reservedDelta: quantity, orderId, actor });
  return level;
}

/** Gives back held units (cancellation, edit). */
export async function releaseStock(
  em: EntityManager,
  key: LevelKey,
  quantity: number,
  orderId: string,
  actor: string,
  reason: string,
): Promise<LevelRow> {
  const level = await update(
    em,
    `update stock_level set reserved = reserved - ?, updated_at = now()
     where variant_id = ? and location_id = ? and reserved >= ?`,
    [quantity, key.variantId, key.locationId, quantity],
  );
  if (!level) throw new Error(`release of ${quantity} at ${key.variantId}/${key.locationId} exceeds what is reserved`);
  await writeMovement(em, {
    ...key,
    kind: 'released',
    onHandDelta: 0,
    reservedDelta: -quantity,
    orderId,
    actor,
    reason,
  });
  return level;
}

/** Held units leave the building: on hand and reserved both drop. */
export async function shipStock(
  em: EntityManager,
  key: LevelKey,
  quantity: number,
  orderId: string,
  actor: string,
): Promise<LevelRow> {
  const level = await update(
    em,
    `update stock_level set reserved = reserved - ?, on_hand = on_hand - ?, updated_at = now()
     where variant_id = ? and location_id = ? and reserved >= ?`,
    [quantity, quantity, key.variantId, key.locationId, quantity],
  );
  if (!level) throw new Error(`shipment of ${quantity} at ${key.variantId}/${key.locationId} exceeds what is reserved`);
  await writeMovement(em, {
    ...key,
    kind: 'shipped',
    onHandDelta: -quantity,
    reservedDelta: -quantity,
    orderId,
    actor,
  });
  return level;
}

/**
 * Changes on hand by `delta` (received, returned, adjusted, transfers), creating the level row
 * on first receipt. A decrease may not take on hand below what is reserved (nor below zero):
 * returns null then, writing nothing.
 */
export async function changeOnHand(
  em: EntityManager,
  key: LevelKey,
  delta: number,
  kind: Extract<MovementKind, 'received' | 'adjusted' | 'returned' | 'transfer_out' | 'transfer_in'>,
  actor: string,
  reason: string | null,
  orderId: string | null = null,
): Promise<LevelRow | null> {
  // A transfer moves units between levels of one variant: its total does not grow.
  if (delta > 0 && kind !== 'transfer_in') await checkVariantUnits(em, key.variantId, delta, kind);
  const level =
    delta >= 0
      ? await update(
          em,
          `insert into stock_level as s (variant_id, location_id, on_hand) values (?, ?, ?)
           on conflict (variant_id, location_id) do update set on_hand = s.on_hand + excluded.on_hand, updated_at = now()`,
          [key.variantId, key.locationId, delta],
        )
      : await update(
          em,
          `update stock_level set on_hand = on_hand + ?, updated_at = now()
           where variant_id = ? and location_id = ? and on_hand + ? >= reserved`,
          [delta, key.variantId, key.locationId, delta],
        );
  if (level) await writeMovement(em, { ...key, kind, onHandDelta: delta, reservedDelta: 0, reason, orderId, actor });
  return level;
}

/**
 * Refuses stock that would take a variant past MAX_VARIANT_UNITS on hand across all locations,
 * so no level, available figure or availableToSell sum can leave the 32-bit range of the
 * columns and of GraphQL's Int. The variant row is locked first (FOR NO KEY UPDATE, which
 * foreign-key checks do not wait for): two receipts at different locations then cannot both
 * pass the check on the same old total. This read-then-write is safe only under that lock.
 */
async function checkVariantUnits(em: EntityManager, variantId: string, delta: number, kind: MovementKind) {
  const connection = em.getConnection();
  const context = em.getTransactionContext();
  await connection.execute('select 1 from variant where id = ? for no key update', [variantId], 'all', context);
  const [row] = await connection.execute<{ total: string }[]>(
    'select coalesce(sum(on_hand), 0)::bigint::text as total from stock_level where variant_id = ?',
    [variantId],
    'all',
    context,
  );
  const total = Number(row?.total ?? 0);
  if (total + delta > MAX_VARIANT_UNITS) {
    throw badInput(
      kind === 'adjusted' ? 'delta' : 'quantity',
      `would take the variant to ${total + delta} units on hand across all locations, above the limit of ${MAX_VARIANT_UNITS} (it has ${total})`,
      { max: MAX_VARIANT_UNITS, onHandTotal: total, given: delta },
    );
  }
}

/** Current levels, by key; rows not yet created are absent. */
export async function readLevels(em: EntityManager, variantIds: string[]): Promise<LevelRow[]> {
  if (variantIds.length === 0) return [];
  const rows = await em
    .getConnection()
    .execute<Row[]>(
      `select variant_id, location_id, on_hand, reserved, safety_stock, reorder_point from stock_level where variant_id in (${variantIds.map(() => '?').join(', ')})`,
      variantIds,
      'all',
      em.getTransactionContext(),
    );
  return rows.map(toLevel);
}
