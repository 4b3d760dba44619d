import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { writeAudit } from '../audit/audit-log.js';
import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode, notFound } from '../errors.js';
import { recordOutboxEvent } from '../outbox/outbox.js';
import { inTransaction } from '../transaction.js';
import type { ChannelDeps } from './channel-deps.js';
import {
  RESERVED_CHANNEL_IDS,
  slugOf,
  validBackorderPolicy,
  validChannelId,
  validChannelName,
  validEndpoint,
  validCredentialsFor,
  validStockBuffer,
  type CredentialsInput,
} from './channel-input.js';
import { loadChannelCredentials, sealCredentials } from './channel-secrets.js';
import { Channel, DIRECT_CHANNEL_ID } from './channel.entity.js';
import { sqlRows } from './sql.js';
import { isAmazonCredentials } from './channel-credentials.js';

export interface ConnectChannelInput {
  /** The stored kind (`shopify`); the schema's SHOPIFY maps to it. */
  kind: string;
  name: string;
  /** A readable id; derived from the name when absent. */
  id?: string | null;
  enabled?: boolean | null;
  stockBuffer?: number | null;
  backorderPolicy?: string | null;
  endpoint?: string | null;
  credentials?: CredentialsInput | null;
}

/** Absent (undefined) fields stay; `endpoint: null` clears the override; credentials are replaced whole. */
export interface UpdateChannelPatch {
  name?: string | null;
  enabled?: boolean | null;
  stockBuffer?: number | null;
  backorderPolicy?: string | null;
  notifyCustomers?: boolean | null;
  endpoint?: string | null;
  credentials?: CredentialsInput | null;
}

/** Derived ids try `slug`, `slug-2`, … ; a concurrent connect taking the same one is retried. */
const DERIVED_ID_ATTEMPTS = 5;

function connectableKind(kind: string): 'shopify' | 'ebay' | 'amazon' {
  const k = kind.trim().toLowerCase();
  if (k === 'shopify' || k === 'ebay' || k === 'amazon') return k;
  if (k === 'direct') throw badInput('kind', 'DIRECT is the hub\'s own API channel ("direct") and is not connected');
  throw badInput('kind', 'must be SHOPIFY, AMAZON or EBAY');
}

async function freeIdFrom(em: EntityManager, base: string): Promise<string> {
  // Slugs hold only a-z, 0-9 and '-', so nothing in `base` is a LIKE wildcard.
  const rows = await sqlRows<{ id: string }>(em, 'select id from channel where id = ? or id like ?', [
    base,
    `${base}-%`,
  ]);
  const taken = new Set([...RESERVED_CHANNEL_IDS, ...rows.map((r) => r.id)]);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * Connects a sales channel: validates the credentials for its kind, stores them only as
 * AES-256-GCM ciphertext bound to the channel id, audits the action and records
 * `channel.changed` so the jobs layer schedules its sync. CONFLICT when a given id is taken.
 */
export async function connectChannel(
  ctx: OperationContext,
  deps: ChannelDeps,
  input: ConnectChannelInput,
): Promise<Channel> {
  const kind = connectableKind(input.kind);
  const name = validChannelName(input.name);
  const givenId = input.id == null || input.id.trim() === '' ? null : validChannelId(input.id);
  const endpoint = validEndpoint(input.endpoint, { httpsOnly: deps.httpsOnlyEndpoints });
  const credentials = validCredentialsFor(kind, input.credentials, endpoint, {
    httpsOnly: deps.httpsOnlyEndpoints,
  });
  const stockBuffer = validStockBuffer(input.stockBuffer ?? 0);
  const backorderPolicy = validBackorderPolicy(input.backorderPolicy ?? 'backorder');

  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(ctx.em, async (tx) => {
        const id = givenId ?? (await freeIdFrom(tx, slugOf(name, kind)));
        const channel = tx.create(Channel, {
          id,
          kind,
          name,
          enabled: input.enabled ?? true,
          stockBuffer,
          backorderPolicy,
          endpoint,
          credentialsCiphertext: sealCredentials(deps.encryptionKey, id, credentials),
          syncCursor: null,
          lastSyncAt: null,
          lastError: null,
          lastErrorAt: null,
          disconnectedAt: null,
        });
        await tx.flush();
        await writeAudit(tx, ctx, {
          action: 'channel.connect',
          subjectType: 'channel',
          subjectId: id,
          data: { kind, endpointOverride: endpoint !== null, enabled: channel.enabled },
        });
        recordOutboxEvent(tx, 'channel.changed', id, { channelId: id });
        await tx.flush();
        ctx.logger.info({ channelId: id, kind, by: ctx.actor.id }, 'channel connected');
        return channel;
      });
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      if (givenId !== null)
        throw new DomainError(ErrorCode.CONFLICT, `A channel with id ${givenId} exists`, { field: 'id' });
      if (attempt >= DERIVED_ID_ATTEMPTS)
        throw new DomainError(ErrorCode.CONFLICT, 'Could not find a free channel id: pass one as id', { field: 'id' });
    }
  }
}

async function lockedChannel(tx: EntityManager, id: string): Promise<Channel> {
  const channel = await tx.findOne(Channel, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (!channel) throw notFound('Channel', id);
  return channel;
}

/**
 * Changes a channel. Setting `enabled: true` on a disconnected channel reconnects it (clears
 * `disconnectedAt`); credentials are replaced whole, never merged, and checked against the
 * endpoint the channel will have. Audited (field names only) and announced as `channel.changed`.
 */
export async function updateChannel(
  ctx: OperationContext,
  deps: ChannelDeps,
  id: string,
  patch: UpdateChannelPatch,
): Promise<Channel> {
  return inTransaction(ctx.em, async (tx) => {
    const channel = await lockedChannel(tx, id);
    const changed: string[] = [];
    const isDirect = channel.kind === 'direct';
    if (isDirect && (patch.endpoint !== undefined || patch.credentials != null))
      throw badInput(
        patch.credentials != null ? 'credentials' : 'endpoint',
        'the direct channel has no platform to connect to',
      );
    if (patch.name != null) {
      channel.name = validChannelName(patch.name);
      changed.push('name');
    }
    if (patch.stockBuffer != null) {
      channel.stockBuffer = validStockBuffer(patch.stockBuffer);
      changed.push('stockBuffer');
    }
    if (patch.backorderPolicy != null) {
      channel.backorderPolicy = validBackorderPolicy(patch.backorderPolicy);
      changed.push('backorderPolicy');
    }
    if (patch.notifyCustomers != null) {
      channel.notifyCustomers = patch.notifyCustomers;
      changed.push('notifyCustomers');
    }
    if (patch.endpoint !== undefined) {
      channel.endpoint = validEndpoint(patch.endpoint, { httpsOnly: deps.httpsOnlyEndpoints });
      changed.push('endpoint');
    }
    if (patch.credentials != null) {
      const credentials = validCredentialsFor(channel.kind, patch.credentials, channel.endpoint ?? null, {
        httpsOnly: deps.httpsOnlyEndpoints,
      });
      channel.credentialsCiphertext = sealCredentials(deps.encryptionKey, channel.id, credentials);
      changed.push('credentials');
    } else if (patch.endpoint !== undefined && channel.endpoint === null && !isDirect) {
      // Dropping the override points the connector at the real platform: the stored shop
      // domain must then be a real one.
      const stored = await loadChannelCredentials(tx, deps.encryptionKey, channel.id);
      // Amazon's authorisation names no host of its own to check (its region picks SP-API's).
      if (!isAmazonCredentials(stored)) validCredentialsFor(channel.kind, stored, null);
    }
    if (patch.enabled != null) {
      if (patch.enabled && isDirect === false) channel.disconnectedAt = null;
      channel.enabled = patch.enabled;
      changed.push('enabled');
    }
    if (changed.length === 0) return channel;
    await tx.flush();
    await writeAudit(tx, ctx, {
      action: 'channel.update',
      subjectType: 'channel',
      subjectId: channel.id,
      data: { changed },
    });
    recordOutboxEvent(tx, 'channel.changed', channel.id, { channelId: channel.id });
    await tx.flush();
    ctx.logger.info({ channelId: channel.id, changed, by: ctx.actor.id }, 'channel updated');
    return channel;
  });
}

/**
 * Stops a channel syncing: disabled, `disconnectedAt` set. Its orders, listings and credentials
 * stay (reconnect with updateChannel enabled: true). Disconnecting twice keeps the first time.
 */
export async function disconnectChannel(ctx: OperationContext, id: string): Promise<Channel> {
  if (id === DIRECT_CHANNEL_ID)
    throw badInput('id', "the direct channel is the hub's own API and cannot be disconnected");
  return inTransaction(ctx.em, async (tx) => {
    const channel = await lockedChannel(tx, id);
    if (channel.kind === 'direct') throw badInput('id', 'a direct channel cannot be disconnected');
    if (channel.disconnectedAt !== null && !channel.enabled) return channel;
    channel.enabled = false;
    channel.disconnectedAt = new Date();
    await tx.flush();
    await writeAudit(tx, ctx, { action: 'channel.disconnect', subjectType: 'channel', subjectId: channel.id });
    recordOutboxEvent(tx, 'channel.changed', channel.id, { channelId: channel.id });
    await tx.flush();
    ctx.logger.info({ channelId: channel.id, by: ctx.actor.id }, 'channel disconnected');
    return channel;
  });
}
