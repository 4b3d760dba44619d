import type { EntityManager } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { ChannelKind } from '../channels/channel.entity.js';
import { runPrepared } from '../prepared-statement.js';

const CHANNEL_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Why a channel takes no webhooks right now, with the HTTP status the inbox answers. */
export type WebhookChannelRefusal = { status: 404 | 409 | 410; code: string; message: string };

/** What the inbox needs of a channel row: no entity is hydrated on this path. */
export interface WebhookChannel {
  id: string;
  kind: ChannelKind;
  enabled: boolean;
  disconnectedAt: Date | null;
  /** The sealed credentials as stored (never plaintext): the webhook secret is opened from them. */
  credentialsCiphertext: string | null;
}

const CHANNEL_SQL = `select id, kind, enabled, disconnected_at, credentials_ciphertext from channel where id = ?`;

interface ChannelRow {
  id: string;
  kind: ChannelKind;
  enabled: boolean;
  disconnected_at: Date | string | null;
  credentials_ciphertext: string | null;
}

/**
 * The channel a delivery is addressed to, and why it would be refused: unknown ids and `direct`
 * (which has no platform) are 404 with no channel, a disconnected channel is 410 (gone: the
 * platform should stop sending), a disabled one 409 (it may be enabled again; Shopify retries
 * meanwhile). The last two come with the channel: some topics are taken even then.
 * One prepared statement reads the flags and the sealed credentials together, on every
 * delivery, so a disable, a disconnect or new credentials count from the next delivery on.
 */
export async function webhookChannel(
  em: EntityManager,
  channelId: string,
): Promise<
  { channel: WebhookChannel; refusal: WebhookChannelRefusal | null } | { channel: null; refusal: WebhookChannelRefusal }
> {
  // Ids are readable codes; anything else (control characters, 10 kB) cannot match and never reaches SQL.
  const row = CHANNEL_ID.test(channelId)
    ? (await runPrepared<ChannelRow>(em, 'switchyard_webhook_channel', CHANNEL_SQL, [channelId]))[0]
    : undefined;
  if (!row || row.kind === 'direct') {
    const message = CHANNEL_ID.test(channelId) ? `No channel ${channelId} takes webhooks` : 'No such channel';
    return { channel: null, refusal: { status: 404, code: 'NOT_FOUND', message } };
  }
  const channel: WebhookChannel = {
    id: row.id,
    kind: row.kind,
    enabled: row.enabled,
    disconnectedAt: row.disconnected_at === null ? null : new Date(row.disconnected_at),
    credentialsCiphertext: row.credentials_ciphertext,
  };
  if (channel.disconnectedAt)
    return { channel, refusal: { status: 410, code: 'GONE', message: `Channel ${channel.id} is disconnected` } };
  if (!channel.enabled)
    return { channel, refusal: { status: 409, code: 'CONFLICT', message: `Channel ${channel.id} is disabled` } };
  return { channel, refusal: null };
}

const INSERT_SQL = `insert into webhook_delivery (id, channel_id, delivery_id, topic, triggered_at, body)
  values (?, ?, ?, ?, ?, ?::text::json::text)
  on conflict (channel_id, delivery_id) do nothing
  returning id`;

export interface NewDelivery {
  channelId: string;
  deliveryId: string;
  topic: string;
  triggeredAt: Date | null;
  /**
   * The raw body as received (verified), stored unchanged for replay. The statement itself
   * checks it is UTF-8 JSON (`::json` keeps the text exactly as given), so the ack path never
   * parses it; a body that is not is refused with `InvalidDeliveryBody`.
   */
  body: string | Buffer;
}

/** The body is not UTF-8 JSON (or holds a NUL): the database refused it; the inbox answers 400. */
export class InvalidDeliveryBody extends Error {
  constructor() {
    super('Webhook body is not valid UTF-8 JSON');
    this.name = 'InvalidDeliveryBody';
  }
}

/** PostgreSQL's codes for a malformed `json` text (22P02) and for bytes not valid in UTF-8, NUL included (22021). */
const BAD_BODY_CODES = new Set(['22P02', '22021']);

/** `error` as InvalidDeliveryBody when the database refused a delivery's body, else unchanged. */
export function asDeliveryBodyError(error: unknown): unknown {
  for (let e: unknown = error, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    if (BAD_BODY_CODES.has(String((e as { code?: unknown }).code))) return new InvalidDeliveryBody();
  }
  return error;
}

/**
 * Stores a delivery once: the unique (channel_id, delivery_id) decides, in one statement, so
 * two copies arriving at once store one row. Returns the new row's id, or `duplicate` when
 * the platform sent this delivery before (whatever became of it).
 */
export async function recordDelivery(
  em: EntityManager,
  delivery: NewDelivery,
): Promise<{ id: string; duplicate: false } | { duplicate: true }> {
  const id = randomUUID();
  // A named prepared statement with the body as a parameter: PostgreSQL parses it once per
  // connection, and the 10 kB body is not escaped into the SQL text on every delivery.
  const rows = await runPrepared<{ id: string }>(em, 'switchyard_record_webhook_delivery', INSERT_SQL, [
    id,
    delivery.channelId,
    delivery.deliveryId,
    delivery.topic,
    delivery.triggeredAt,
    delivery.body,
  ]).catch((error: unknown) => {
    throw asDeliveryBodyError(error);
  });
  return rows.length === 1 ? { id, duplicate: false } : { duplicate: true };
}
