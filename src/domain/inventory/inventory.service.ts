import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { validateAddress, type PostalAddress } from '../address.js';
import { Variant } from '../catalog/variant.entity.js';
import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { recordOutboxEvent } from '../outbox/outbox.js';
import { inTransaction } from '../transaction.js';
import { Location } from './location.entity.js';
import { availableOf } from './stock-level.entity.js';
import { changeOnHand, type LevelRow } from './stock-ledger.js';

export interface CreateLocationInput {
  code: string;
  name: string;
  address: PostalAddress;
  latitude?: number | null;
  longitude?: number | null;
  priority?: number | null;
  active?: boolean | null;
  fulfilsOnline?: boolean | null;
  channelIds?: string[] | null;
}

const CODE = /^[A-Za-z0-9_-]{1,32}$/;
export const MAX_STOCK_QUANTITY = 10_000_000;

export async function createLocation(ctx: OperationContext, input: CreateLocationInput): Promise<Location> {
  const code = (input.code ?? '').trim().toUpperCase();
  if (!CODE.test(code)) throw badInput('code', 'must be 1 to 32 letters, digits, _ or -');
  const name = (input.name ?? '').trim();
  if (!name || name.length > 200) throw badInput('name', 'must be 1 to 200 characters');
  const check = (field: string, v: number | null | undefined, limit: number) => {
    if (v != null && (!Number.isFinite(v) || Math.abs(v) > limit)) throw badInput(field, `must be from -${limit} to ${limit}`);
    return v ?? null;
  };
  const priority = input.priority ?? 100;
  if (!Number.isInteger(priority) || priority < 0 || priority > 10_000) throw badInput('priority', 'must be a whole number from 0 to 10000');
  const em = ctx.em.fork();
  const location = em.create(Location, {
    id: randomUUID(),
    code,
    name,
    address: validateAddress('address', input.address),
    latitude: check('latitude', input.latitude, 90),
    longitude: check('longitude', input.longitude, 180),
    priority,
    active: input.active ?? true,
    fulfilsOnline: input.fulfilsOnline ?? true,
    channelIds: [...new Set(input.channelIds ?? [])],
  });
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw new DomainError(ErrorCode.CONFLICT, `A location with code ${code} exists`, { field: 'code' });
    throw error;
  }
  return location;
}

async function resolve(em: EntityManager, sku: string, locationId: string): Promise<{ variant: Variant; location: Location }> {
  const variant = await em.findOne(Variant, { sku: sku.trim() });
  if (!variant) throw badInput('sku', `unknown SKU ${sku}`);
  const location = isUuid(locationId) ? await em.findOne(Location, { id: locationId }) : null;
  if (!location) throw notFound('Location', locationId);
  return { variant, location };
}

function quantity(field: string, value: number, allowNegative = false): number {
  const min = allowNegative ? -MAX_STOCK_QUANTITY : 1;
  if (!Number.isInteger(value) || value === 0 || value < min || value > MAX_STOCK_QUANTITY) {
    throw badInput(field, allowNegative ? `must be a non-zero whole number from ${min} to ${MAX_STOCK_QUANTITY}` : `must be a whole number from 1 to ${MAX_STOCK_QUANTITY}`);
  }
  return value;
}

function levelChanged(em: EntityManager, level: LevelRow): void {
  recordOutboxEvent(em, 'stock.level_changed', level.variantId, { ...level, available: availableOf(level) });
}

/** Stock arrives at a location. */
export async function receiveStock(ctx: OperationContext, input: { sku: string; locationId: string; quantity: number; reason?: string | null }): Promise<LevelRow> {
  const qty = quantity('quantity', input.quantity);
  return inTransaction(ctx.em, async (tx) => {
    const { variant, location } = await resolve(tx, input.sku, input.locationId);
    const level = (await changeOnHand(tx, { variantId: variant.id, locationId: location.id }, qty, 'received', ctx.actor.id, input.reason?.trim() || null))!;
    levelChanged(tx, level);
    return level;
  });
}

/** Corrects on hand by a signed delta (count, damage); never below what is reserved. */
export async function adjustStock(ctx: OperationContext, input: { sku: string; locationId: string; delta: number; reason: string }): Promise<LevelRow> {
  const delta = quantity('delta', input.delta, true);
  const reason = (input.reason ?? '').trim();
  if (!reason || reason.length > 500) throw badInput('reason', 'is required (1 to 500 characters): say why stock changed');
  return inTransaction(ctx.em, async (tx) => {
    const { variant, location } = await resolve(tx, input.sku, input.locationId);
    const level = await changeOnHand(tx, { variantId: variant.id, locationId: location.id }, delta, 'adjusted', ctx.actor.id, reason);
    if (!level) {
      const current = await tx.getConnection().execute<{ on_hand: number; reserved: number }[]>(
        'select on_hand, reserved from stock_level where variant_id = ? and location_id = ?',
        [variant.id, location.id],
        'all',
        tx.getTransactionContext(),
      );
      const row = current[0];
      throw badInput('delta', row
        ? `would take on hand to ${row.on_hand + delta}, below the ${row.reserved} reserved (on hand is ${row.on_hand})`
        : `${input.sku} has no stock at ${location.code} to take away`, { onHand: row?.on_hand ?? 0, reserved: row?.reserved ?? 0 });
    }
    levelChanged(tx, level);
    return level;
  });
}

/** Moves on-hand stock between two locations: both rows and both ledger entries, or neither. */
export async function transferStock(
  ctx: OperationContext,
  input: { sku: string; fromLocationId: string; toLocationId: string; quantity: number; reason?: string | null },
): Promise<{ from: LevelRow; to: LevelRow }> {
  const qty = quantity('quantity', input.quantity);
  if (input.fromLocationId === input.toLocationId) throw badInput('toLocationId', 'must differ from fromLocationId');
  return inTransaction(ctx.em, async (tx) => {
    const { variant, location: from } = await resolve(tx, input.sku, input.fromLocationId);
    const to = isUuid(input.toLocationId) ? await tx.findOne(Location, { id: input.toLocationId }) : null;
    if (!to) throw notFound('Location', input.toLocationId);
    const reason = input.reason?.trim() || `transfer ${from.code} → ${to.code}`;
    // Rows in a fixed order (by location id) so two opposite transfers cannot deadlock.
    const steps = [
      { loc: from, delta: -qty, kind: 'transfer_out' as const },
      { loc: to, delta: qty, kind: 'transfer_in' as const },
    ].sort((a, b) => a.loc.id.localeCompare(b.loc.id));
    const result: Record<string, LevelRow> = {};
    for (const s of steps) {
      const level = await changeOnHand(tx, { variantId: variant.id, locationId: s.loc.id }, s.delta, s.kind, ctx.actor.id, reason);
      if (!level) throw badInput('quantity', `${from.code} cannot give ${qty} of ${variant.sku}: not that much unreserved stock on hand`);
      levelChanged(tx, level);
      result[s.kind] = level;
    }
    return { from: result.transfer_out!, to: result.transfer_in! };
  });
}

/** Sets safety stock or reorder point of a level (no ledger row: on hand and reserved do not move). */
export async function setStockThreshold(
  ctx: OperationContext,
  input: { sku: string; locationId: string; field: 'safetyStock' | 'reorderPoint'; value: number },
): Promise<LevelRow> {
  if (!Number.isInteger(input.value) || input.value < 0 || input.value > MAX_STOCK_QUANTITY) {
    throw badInput(input.field, `must be a whole number from 0 to ${MAX_STOCK_QUANTITY}`);
  }
  const column = input.field === 'safetyStock' ? 'safety_stock' : 'reorder_point';
  return inTransaction(ctx.em, async (tx) => {
    const { variant, location } = await resolve(tx, input.sku, input.locationId);
    const rows = await tx.getConnection().execute<{ variant_id: string; location_id: string; on_hand: number; reserved: number; safety_stock: number; reorder_point: number }[]>(
      `insert into stock_level as s (variant_id, location_id, ${column}) values (?, ?, ?)
       on conflict (variant_id, location_id) do update set ${column} = excluded.${column}, updated_at = now()
       returning variant_id, location_id, on_hand, reserved, safety_stock, reorder_point`,
      [variant.id, location.id, input.value],
      'all',
      tx.getTransactionContext(),
    );
    const r = rows[0]!;
    const level = { variantId: r.variant_id, locationId: r.location_id, onHand: r.on_hand, reserved: r.reserved, safetyStock: r.safety_stock, reorderPoint: r.reorder_point };
    levelChanged(tx, level);
    return level;
  });
}
