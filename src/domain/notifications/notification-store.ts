import type { EntityManager } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { notificationKey, type NotificationRequest } from './notification-kinds.js';

/**
 * The notification rows: written before a message is sent, marked once it was. A key already
 * `sent` or `skipped` is never sent again, whatever retries or duplicate events come.
 */
export type ClaimResult = { claimed: true; key: string; attempts: number } | { claimed: false; status: string };

export async function claimNotification(em: EntityManager, request: NotificationRequest): Promise<ClaimResult> {
  const key = notificationKey(request);
  const connection = em.getConnection();
  await connection.execute(
    `insert into notification (id, key, order_id, kind) values (?, ?, ?, ?) on conflict (key) do nothing`,
    [randomUUID(), key, request.orderId, request.kind],
  );
  const rows = await connection.execute<{ attempts: number }[]>(
    `update notification set attempts = attempts + 1 where key = ? and status = 'pending' returning attempts`,
    [key],
  );
  if (rows.length === 1) return { claimed: true, key, attempts: Number(rows[0]!.attempts) };
  const [row] = await connection.execute<{ status: string }[]>(`select status from notification where key = ?`, [key]);
  return { claimed: false, status: row?.status ?? 'missing' };
}

export async function markNotificationSent(
  em: EntityManager,
  key: string,
  recipient: string,
  messageId: string,
): Promise<void> {
  await em
    .getConnection()
    .execute(
      `update notification set status = 'sent', recipient = ?, message_id = ?, sent_at = now(), last_error = null where key = ?`,
      [recipient, messageId.slice(0, 300), key],
    );
}

/** Nothing to send (no address, notifications off for the channel): recorded, never retried. */
export async function markNotificationSkipped(em: EntityManager, key: string, reason: string): Promise<void> {
  await em
    .getConnection()
    .execute(`update notification set status = 'skipped', last_error = ? where key = ?`, [reason.slice(0, 1000), key]);
}

export async function recordNotificationError(em: EntityManager, key: string, error: string): Promise<void> {
  await em.getConnection().execute(`update notification set last_error = ? where key = ?`, [error.slice(0, 1000), key]);
}

export interface NotificationRow {
  key: string;
  kind: string;
  recipient: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
}

interface StoredRow {
  key: string;
  kind: string;
  recipient: string | null;
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | string | null;
}

/** An order's notifications, oldest first. */
export async function orderNotifications(em: EntityManager, orderId: string): Promise<NotificationRow[]> {
  const rows: StoredRow[] = await em
    .getConnection()
    .execute<StoredRow[]>(
      `select key, kind, recipient, status, attempts, last_error, sent_at from notification where order_id = ? order by created_at, key`,
      [orderId],
    );
  return rows.map((r) => ({
    key: r.key,
    kind: r.kind,
    recipient: r.recipient,
    status: r.status,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    sentAt: r.sent_at === null ? null : new Date(r.sent_at),
  }));
}
