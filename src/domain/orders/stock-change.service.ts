import type { EntityManager } from '@mikro-orm/core';
import { Variant } from '../catalog/variant.entity.js';
import type { OperationContext } from '../context.js';
import { badInput, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { recordLevelChanged } from '../inventory/level-events.js';
import { Location } from '../inventory/location.entity.js';
import { changeOnHand, readLevels, type LevelRow, type StockLevelRecord } from '../inventory/stock-ledger.js';
import { stockLevelView, type StockLevelView } from '../inventory/stock-level-view.js';
import { MAX_STOCK_QUANTITY } from '../input-limits.js';
import { inTransaction } from '../transaction.js';
import { allocateBackorders } from './backorder-allocation.js';

/*
 * The stock mutations (receive, adjust, transfer, thresholds) live with the orders, not in
 * inventory/: each hands the stock it frees to waiting backorders in the same transaction, and
 * backorders are orders. Inventory (levels, the ledger, sourcing) knows nothing of orders; the
 * dependency runs orders → inventory only (docs/ARCHITECTURE.md, enforced by eslint.config.js).
 */

async function resolve(
  em: EntityManager,
  sku: string,
  locationId: string,
): Promise<{ variant: Variant; location: Location }> {
  const variant = await em.findOne(Variant, { sku: (sku ?? '').trim() });
  if (!variant) throw badInput('sku', `unknown SKU ${sku}`);
  const location = isUuid(locationId) ? await em.findOne(Location, { id: locationId }) : null;
  if (!location) throw notFound('Location', locationId);
  return { variant, location };
}

function quantity(field: string, value: number, allowNegative = false): number {
  const min = allowNegative ? -MAX_STOCK_QUANTITY : 1;
  if (!Number.isInteger(value) || value === 0 || value < min || value > MAX_STOCK_QUANTITY) {
    throw badInput(
      field,
      allowNegative
        ? `must be a non-zero whole number from ${min} to ${MAX_STOCK_QUANTITY}`
        : `must be a whole number from 1 to ${MAX_STOCK_QUANTITY}`,
    );
  }
  return value;
}

function reasonOf(value: string | null | undefined, required: boolean): string | null {
  const reason = (value ?? '').trim();
  if (reason.length > 500) throw badInput('reason', 'must be at most 500 characters', { max: 500 });
  if (!reason && required) throw badInput('reason', 'is required (1 to 500 characters): say why stock changed');
  return reason || null;
}

/**
 * More stock is free for a variant: hand it to waiting backorders (oldest first) in this same
 * transaction, then return the level as it ends up.
 */
async function afterStockFreed(
  tx: EntityManager,
  ctx: OperationContext,
  variant: Variant,
  level: LevelRow,
  trigger: string,
): Promise<LevelRow> {
  const served = await allocateBackorders(tx, ctx, variant.id, trigger);
  if (served === 0) return level;
  return (await readLevels(tx, [variant.id])).find((l) => l.locationId === level.locationId) ?? level;
}

/** Stock arrives at a location; waiting backorders get it first. */
export async function receiveStock(
  ctx: OperationContext,
  input: { sku: string; locationId: string; quantity: number; reason?: string | null },
): Promise<StockLevelView> {
  const qty = quantity('quantity', input.quantity);
  const reason = reasonOf(input.reason, false);
  return inTransaction(ctx.em, async (tx) => {
    const { variant, location } = await resolve(tx, input.sku, input.locationId);
    const level = (await changeOnHand(
      tx,
      { variantId: variant.id, locationId: location.id },
      qty,
      'received',
      ctx.actor.id,
      reason,
    ))!;
    recordLevelChanged(tx, level, { onHand: qty });
    const final = await afterStockFreed(
      tx,
      ctx,
      variant,
      level,
      `stock arrived (received ${qty}× ${variant.sku} at ${location.code})`,
    );
    return stockLevelView(final, variant.sku, location.code);
  });
}

/** Corrects on hand by a signed delta (count, damage); never below zero nor below what is reserved. */
export async function adjustStock(
  ctx: OperationContext,
  input: { sku: string; locationId: string; delta: number; reason: string },
): Promise<StockLevelView> {
  const delta = quantity('delta', input.delta, true);
  const reason = reasonOf(input.reason, true)!;
  return inTransaction(ctx.em, async (tx) => {
    const { variant, location } = await resolve(tx, input.sku, input.locationId);
    const level = await changeOnHand(
      tx,
      { variantId: variant.id, locationId: location.id },
      delta,
      'adjusted',
      ctx.actor.id,
      reason,
    );
    if (!level) {
      const row = (await readLevels(tx, [variant.id])).find((l) => l.locationId === location.id);
      const details = { onHand: row?.onHand ?? 0, reserved: row?.reserved ?? 0 };
      if (!row) throw badInput('delta', `${variant.sku} has no stock at ${location.code} to take away`, details);
      const target = row.onHand + delta;
      throw badInput(
        'delta',
        target < 0
          ? `would take on hand to ${target}: on hand is ${row.onHand} and cannot go below zero`
          : `would take on hand to ${target}, below the ${row.reserved} reserved for orders (on hand is ${row.onHand})`,
        details,
      );
    }
    recordLevelChanged(tx, level, { onHand: delta });
    const final =
      delta > 0
        ? await afterStockFreed(
            tx,
            ctx,
            variant,
            level,
            `stock found (adjusted ${variant.sku} at ${location.code} by +${delta})`,
          )
        : level;
    return stockLevelView(final, variant.sku, location.code);
  });
}

/** Moves on-hand stock between two locations: both rows and both ledger entries, or neither. */
export async function transferStock(
  ctx: OperationContext,
  input: { sku: string; fromLocationId: string; toLocationId: string; quantity: number; reason?: string | null },
): Promise<{ from: StockLevelView; to: StockLevelView }> {
  const qty = quantity('quantity', input.quantity);
  if (input.fromLocationId === input.toLocationId) throw badInput('toLocationId', 'must differ from fromLocationId');
  const given = reasonOf(input.reason, false);
  return inTransaction(ctx.em, async (tx) => {
    const { variant, location: from } = await resolve(tx, input.sku, input.fromLocationId);
    const to = isUuid(input.toLocationId) ? await tx.findOne(Location, { id: input.toLocationId }) : null;
    if (!to) throw notFound('Location', input.toLocationId);
    const reason = given ?? `transfer ${from.code} → ${to.code}`;
    // Rows in a fixed order (by location id) so two opposite transfers cannot deadlock.
    const steps = [
      { loc: from, delta: -qty, kind: 'transfer_out' as const },
      { loc: to, delta: qty, kind: 'transfer_in' as const },
    ].sort((a, b) => a.loc.id.localeCompare(b.loc.id));
    const result: Record<string, LevelRow> = {};
    for (const s of steps) {
      const level = await changeOnHand(
        tx,
        { variantId: variant.id, locationId: s.loc.id },
        s.delta,
        s.kind,
        ctx.actor.id,
        reason,
      );
      if (!level)
        throw badInput(
          'quantity',
          `${from.code} cannot give ${qty} of ${variant.sku}: not that much unreserved stock on hand`,
        );
      recordLevelChanged(tx, level, { onHand: s.delta });
      result[s.kind] = level;
    }
    // The stock may now be where a waiting order's channel can ship from.
    const toLevel = await afterStockFreed(
      tx,
      ctx,
      variant,
      result.transfer_in!,
      `stock arrived (transferred ${qty}× ${variant.sku} from ${from.code} to ${to.code})`,
    );
    const fromLevel =
      (await readLevels(tx, [variant.id])).find((l) => l.locationId === from.id) ?? result.transfer_out!;
    return {
      from: stockLevelView(fromLevel, variant.sku, from.code),
      to: stockLevelView(toLevel, variant.sku, to.code),
    };
  });
}

/**
 * Sets safety stock or reorder point of a level (no ledger row: on hand and reserved do not
 * move). Lowering safety stock frees units, which waiting backorders get first.
 */
export async function setStockThreshold(
  ctx: OperationContext,
  input: { sku: string; locationId: string; field: 'safetyStock' | 'reorderPoint'; value: number },
): Promise<StockLevelView> {
  if (!Number.isInteger(input.value) || input.value < 0 || input.value > MAX_STOCK_QUANTITY) {
    throw badInput(input.field, `must be a whole number from 0 to ${MAX_STOCK_QUANTITY}`, {
      min: 0,
      max: MAX_STOCK_QUANTITY,
    });
  }
  const column = input.field === 'safetyStock' ? 'safety_stock' : 'reorder_point';
  return inTransaction(ctx.em, async (tx) => {
    const { variant, location } = await resolve(tx, input.sku, input.locationId);
    const connection = tx.getConnection();
    type Row = StockLevelRecord;
    // Lock the row (when it exists) to know the value before, for the low-stock crossing.
    const previous: Row[] = await connection.execute<Row[]>(
      'select * from stock_level where variant_id = ? and location_id = ? for update',
      [variant.id, location.id],
      'all',
      tx.getTransactionContext(),
    );
    const rows: Row[] = await connection.execute<Row[]>(
      `insert into stock_level as s (variant_id, location_id, ${column}) values (?, ?, ?)
       on conflict (variant_id, location_id) do update set ${column} = excluded.${column}, updated_at = now()
       returning variant_id, location_id, on_hand, reserved, safety_stock, reorder_point`,
      [variant.id, location.id, input.value],
      'all',
      tx.getTransactionContext(),
    );
    const r = rows[0]!;
    const level: LevelRow = {
      variantId: r.variant_id,
      locationId: r.location_id,
      onHand: r.on_hand,
      reserved: r.reserved,
      safetyStock: r.safety_stock,
      reorderPoint: r.reorder_point,
    };
    const before = previous[0]?.[column] ?? 0;
    recordLevelChanged(tx, level, { [input.field]: input.value - before });
    const final =
      input.field === 'safetyStock' && input.value < before
        ? await afterStockFreed(
            tx,
            ctx,
            variant,
            level,
            `stock freed (safety stock of ${variant.sku} at ${location.code} lowered to ${input.value})`,
          )
        : level;
    return stockLevelView(final, variant.sku, location.code);
  });
}
