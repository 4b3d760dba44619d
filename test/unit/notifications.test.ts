import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import type { NotificationView } from '../../src/domain/notifications/notification-content.js';
import type { OutboxMessage } from '../../src/domain/outbox/outbox-message.js';
import { notificationJobId, notificationsOf } from '../../src/jobs/notification-dispatcher.js';
import { notificationMessageId } from '../../src/jobs/notification.worker.js';
import { loadTemplates } from '../../src/jobs/notifications/notification-templates.js';

const message = (id: number, topic: OutboxMessage['topic'], payload: Record<string, unknown>): OutboxMessage => ({
  id,
  topic,
  aggregateId: String(payload.orderId ?? 'x'),
  payload,
  createdAt: '2026-12-07T00:00:00.000Z',
});

const VIEW: NotificationView = {
  store: { name: 'Shop' },
  order: { number: 'SY-1', name: '#1001', status: 'CONFIRMED', total: '10.00', currency: 'USD', lines: [] },
  customer: { name: 'Ann\r\nBcc: evil@example.com', email: 'ann@example.com' },
};

describe('notificationsOf', () => {
  it('asks for confirmed, shipped (per shipment), delivered and refunded (per event), nothing else', () => {
    const wanted = notificationsOf([
      message(1, 'order.status_changed', { orderId: 'o1', channelId: 'direct', to: 'CONFIRMED' }),
      message(2, 'order.status_changed', { orderId: 'o1', channelId: 'direct', to: 'ALLOCATED' }),
      message(3, 'order.event_recorded', {
        orderId: 'o1',
        channelId: 'direct',
        type: 'shipment_shipped',
        shipmentId: 's1',
      }),
      message(4, 'order.event_recorded', { orderId: 'o1', channelId: 'direct', type: 'shipment_shipped' }),
      message(5, 'order.status_changed', { orderId: 'o1', channelId: 'direct', to: 'DELIVERED' }),
      message(6, 'order.event_recorded', {
        orderId: 'o1',
        channelId: 'direct',
        type: 'payment_refunded',
        amount: 500,
        currency: 'USD',
      }),
      message(7, 'order.event_recorded', {
        orderId: 'o1',
        channelId: 'direct',
        type: 'payment_voided',
        amount: 500,
        currency: 'USD',
      }),
      message(8, 'stock.level_changed', { variantId: 'v' }),
    ]);
    expect(wanted.map((w) => notificationJobId(w.request))).toEqual([
      'notify.confirmed.o1',
      'notify.shipped.o1.s1',
      'notify.delivered.o1',
      'notify.refunded.o1.6',
    ]);
  });
});

describe('notification templates', () => {
  it('keeps the subject on one line and gives a deterministic Message-ID', () => {
    const render = loadTemplates(undefined);
    const dir = mkdtempSync(join(tmpdir(), 'tpl-'));
    try {
      writeFileSync(join(dir, 'confirmed.subject.mustache'), 'Hi {{customer.name}}');
      const custom = loadTemplates(dir)('confirmed', VIEW);
      expect(custom.subject).toBe('Hi Ann Bcc: evil@example.com');
      expect(render('confirmed', VIEW).subject).toBe('Your order #1001 is confirmed');
      writeFileSync(join(dir, 'shipped.html.mustache'), '{{#order}}unclosed');
      expect(() => loadTemplates(dir)).toThrow(/shipped\.html\.mustache does not parse/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(notificationMessageId('confirmed:o1', 'Shop <orders@shop.example>')).toBe(
      '<notify.confirmed.o1@shop.example>',
    );
    expect(notificationMessageId('refunded:o1:6', 'orders@shop.example')).toBe('<notify.refunded.o1.6@shop.example>');
  });
});

describe('notification settings', () => {
  it('are off without SMTP_URL and refuse SMTP_URL without NOTIFY_FROM or with another scheme', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).notifications).toEqual({ enabled: false });
    expect(() => loadConfig({ NODE_ENV: 'test', SMTP_URL: 'smtp://127.0.0.1:25' })).toThrow(/NOTIFY_FROM: is required/);
    expect(() => loadConfig({ NODE_ENV: 'test', SMTP_URL: 'http://x', NOTIFY_FROM: 'a@b.c' })).toThrow(
      /SMTP_URL: must be an smtp/,
    );
    const on = loadConfig({ NODE_ENV: 'test', SMTP_URL: 'smtps://u:p@mail.example:465', NOTIFY_FROM: 'Shop <a@b.c>' });
    expect(on.notifications).toMatchObject({ enabled: true, from: 'Shop <a@b.c>', delayedAfterMs: 48 * 3_600_000 });
  });
});
