import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { validateAddress, type PostalAddress } from '../address.js';
import { Channel } from '../channels/channel.entity.js';
import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { Location } from './location.entity.js';

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

/** What may change on a location; absent (undefined) fields stay as they are. The code never changes. */
export interface UpdateLocationPatch {
  name?: string | null;
  address?: PostalAddress | null;
  latitude?: number | null;
  longitude?: number | null;
  priority?: number | null;
  active?: boolean | null;
  fulfilsOnline?: boolean | null;
  channelIds?: string[] | null;
}

const CODE = /^[A-Za-z0-9_-]{1,32}$/;
export const MAX_PRIORITY = 10_000;
export const MAX_LOCATION_CHANNELS = 100;

function validName(value: string | null | undefined): string {
  const name = (value ?? '').trim();
  if (!name || name.length > 200) throw badInput('name', 'must be 1 to 200 characters');
  return name;
}

function validCoordinate(field: string, value: number | null | undefined, limit: number): number | null {
  if (value != null && (!Number.isFinite(value) || Math.abs(value) > limit))
    throw badInput(field, `must be from -${limit} to ${limit}`);
  return value ?? null;
}

function validPriority(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_PRIORITY)
    throw badInput('priority', `must be a whole number from 0 to ${MAX_PRIORITY}`);
  return value;
}

/** Channel ids must name existing channels: a typo would silently stop a location shipping for anyone. */
async function validChannelIds(em: EntityManager, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids.map((id) => id.trim()))];
  if (unique.length > MAX_LOCATION_CHANNELS)
    throw badInput('channelIds', `must list at most ${MAX_LOCATION_CHANNELS} channels`);
  if (unique.length === 0) return [];
  const known = new Set((await em.find(Channel, { id: { $in: unique } })).map((c) => c.id));
  const unknown = unique.filter((id) => !known.has(id));
  if (unknown.length > 0)
    throw badInput('channelIds', `unknown channel${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`, {
      unknownChannelIds: unknown,
    });
  return unique;
}

export async function createLocation(ctx: OperationContext, input: CreateLocationInput): Promise<Location> {
  const code = (input.code ?? '').trim().toUpperCase();
  if (!CODE.test(code)) throw badInput('code', 'must be 1 to 32 letters, digits, _ or -');
  const name = validName(input.name);
  const priority = validPriority(input.priority ?? 100);
  const address = validateAddress('address', input.address);
  // Coordinates given only on the address count as the location's own.
  const latitude = validCoordinate('latitude', input.latitude ?? address.latitude, 90);
  const longitude = validCoordinate('longitude', input.longitude ?? address.longitude, 180);
  const em = ctx.em.fork();
  const location = em.create(Location, {
    id: randomUUID(),
    code,
    name,
    address,
    latitude,
    longitude,
    priority,
    active: input.active ?? true,
    fulfilsOnline: input.fulfilsOnline ?? true,
    channelIds: await validChannelIds(em, input.channelIds ?? []),
  });
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException)
      throw new DomainError(ErrorCode.CONFLICT, `A location with code ${code} exists`, { field: 'code' });
    throw error;
  }
  return location;
}

/**
 * Changes a location's name, address, coordinates, priority, flags or channels. Its code is its
 * identity in feeds and logs and stays. Sourcing reads locations afresh for every order, so the
 * change applies to the next allocation; reservations already made stay where they are.
 */
export async function updateLocation(ctx: OperationContext, id: string, patch: UpdateLocationPatch): Promise<Location> {
  if ('code' in (patch as Record<string, unknown>))
    throw badInput('code', 'cannot be changed: create a new location instead');
  const em = ctx.em.fork();
  const location = isUuid(id) ? await em.findOne(Location, { id }) : null;
  if (!location) throw notFound('Location', id);
  // null for a required field means "no change", like absent; coordinates may be cleared with null.
  if (patch.name != null) location.name = validName(patch.name);
  if (patch.address != null) location.address = validateAddress('address', patch.address);
  if (patch.latitude !== undefined) location.latitude = validCoordinate('latitude', patch.latitude, 90);
  if (patch.longitude !== undefined) location.longitude = validCoordinate('longitude', patch.longitude, 180);
  if (patch.priority != null) location.priority = validPriority(patch.priority);
  if (patch.active != null) location.active = patch.active;
  if (patch.fulfilsOnline != null) location.fulfilsOnline = patch.fulfilsOnline;
  if (patch.channelIds != null) location.channelIds = await validChannelIds(em, patch.channelIds);
  await em.flush();
  return location;
}

/** Every location, in the order sourcing breaks ties: priority, then code. */
export async function listLocations(ctx: OperationContext): Promise<Location[]> {
  return ctx.em.find(Location, {}, { orderBy: { priority: 'asc', code: 'asc' } });
}
