import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  readNotification,
  UnreadableNotification,
  type OrderChangeNotice,
} from '../../src/connectors/amazon/order-change-notification.js';
import { regionOf } from '../../src/connectors/amazon/sqs-notification-queue.js';
import type { AmazonCredentials } from '../../src/domain/channels/channel-credentials.js';
import { openCredentials, sealCredentials } from '../../src/domain/channels/channel-secrets.js';
import { AmazonNotificationPoller, type NotificationQueue } from '../../src/jobs/amazon-notification-poller.js';
import { routeNotification, type AmazonRoute } from '../../src/platform/amazon-notifications.js';
import { quietLogger } from '../support/context.js';
import { AMAZON_FIXTURES } from '../support/fixtures.js';

const EXAMPLE = readFileSync(new URL('order-change-notification.example.json', AMAZON_FIXTURES), 'utf8');

describe('reading an SQS message as an SP-API notification', () => {
  it('reads the official ORDER_CHANGE example: its NotificationId, seller, order, marketplace and PublishTime', () => {
    expect(readNotification(EXAMPLE)).toEqual({
      notificationId: 'd0e9e693-c3ad-4373-979f-ed4ec98dd746',
      sellerId: 'A3TH9S8BH6GOGM',
      amazonOrderId: '903-8868176-2219830',
      marketplaceId: 'ATVPDKIKX0DER',
      publishedAt: new Date('2020-07-13T19:42:04.284Z'),
    });
  });

  it('tells another notification type apart, and refuses what cannot be routed or deduped', () => {
    const other = JSON.parse(EXAMPLE) as Record<string, unknown>;
    other.NotificationType = 'FEED_PROCESSING_FINISHED';
    expect(readNotification(JSON.stringify(other))).toEqual({
      otherType: 'FEED_PROCESSING_FINISHED',
      notificationId: 'd0e9e693-c3ad-4373-979f-ed4ec98dd746',
    });
    const noId = JSON.parse(EXAMPLE) as { NotificationMetadata: Record<string, unknown> };
    delete noId.NotificationMetadata.NotificationId;
    const noSeller = JSON.parse(EXAMPLE) as { Payload: { OrderChangeNotification: Record<string, unknown> } };
    delete noSeller.Payload.OrderChangeNotification.SellerId;
    for (const body of ['not json', '[]', '{}', JSON.stringify(noId), JSON.stringify(noSeller)])
      expect(() => readNotification(body)).toThrow(UnreadableNotification);
    expect(() => readNotification(JSON.stringify(noSeller))).toThrow(/SellerId/);
  });
});

describe('routing an ORDER_CHANGE to its channel', () => {
  const notice = (sellerId: string, marketplaceId: string | null = 'ATVPDKIKX0DER'): OrderChangeNotice => ({
    notificationId: 'n',
    sellerId,
    amazonOrderId: 'o',
    marketplaceId,
    publishedAt: null,
  });
  const route = (channelId: string, sellerId: string, extra: Partial<AmazonRoute> = {}): AmazonRoute => ({
    channelId,
    sellerId,
    marketplaceIds: ['ATVPDKIKX0DER'],
    queueUrl: 'q',
    enabled: true,
    disconnected: false,
    ...extra,
  });

  it('goes to the channel of its SellerId; an unknown seller is refused', () => {
    const routes = [route('amazon-us', 'S1'), route('amazon-other', 'S2')];
    expect(routeNotification(routes, notice('S1'))).toEqual({ channelId: 'amazon-us' });
    expect(routeNotification(routes, notice('S9'))).toEqual({ refused: 'unknown' });
  });

  it("of one seller's channels, prefers the marketplace's, then an open one; says disabled or disconnected when that is all there is", () => {
    const us = route('b-us', 'S1');
    const de = route('a-de', 'S1', { marketplaceIds: ['A1PA6795UKMFR9'] });
    expect(routeNotification([de, us], notice('S1'))).toEqual({ channelId: 'b-us' });
    expect(routeNotification([de, us], notice('S1', 'A1PA6795UKMFR9'))).toEqual({ channelId: 'a-de' });
    expect(routeNotification([de, { ...us, enabled: false }], notice('S1'))).toEqual({ channelId: 'a-de' });
    expect(routeNotification([{ ...us, enabled: false }], notice('S1'))).toEqual({ refused: 'disabled' });
    expect(routeNotification([{ ...us, disconnected: true }], notice('S1'))).toEqual({ refused: 'disconnected' });
  });
});

describe('the notification queue settings', () => {
  it('takes the region from an AWS queue URL, none from another host', () => {
    expect(regionOf('https://sqs.eu-west-1.amazonaws.com/123456789012/orders')).toBe('eu-west-1');
    expect(regionOf('https://us-west-2.queue.amazonaws.com/123456789012/orders')).toBe('us-west-2');
    expect(regionOf('http://127.0.0.1:9324/000000000000/orders')).toBeNull();
    expect(regionOf('not a url')).toBeNull();
  });

  it('keeps the queue URL in the sealed Amazon grant', () => {
    const key = randomBytes(32);
    const credentials: AmazonCredentials = {
      clientId: 'c',
      clientSecret: 's',
      refreshToken: 'Atzr|r',
      sellerId: 'S1',
      region: 'na',
      marketplaceIds: ['ATVPDKIKX0DER'],
      notificationQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders',
    };
    expect(openCredentials(key, 'amazon-us', sealCredentials(key, 'amazon-us', credentials))).toEqual(credentials);
  });
});

describe('the poller, message by message', () => {
  function rig(options: { store?: () => Promise<{ id: string } | 'duplicate'>; route?: AmazonRoute[] } = {}) {
    const calls: string[] = [];
    const queue: NotificationQueue = {
      queueUrl: 'q',
      receive: async () => [],
      delete: async (h) => void calls.push(`delete ${h}`),
      release: async (h, s) => void calls.push(`release ${h} ${s}`),
    };
    const poller = new AmazonNotificationPoller({
      queue,
      route: (n) => routeNotification(options.route ?? [routeOf('amazon-us', 'A3TH9S8BH6GOGM')], n),
      store:
        options.store ??
        (async (channelId, notice) => {
          calls.push(`store ${channelId} ${notice.notificationId}`);
          return { id: 'row-1' };
        }),
      enqueue: async (id) => void calls.push(`enqueue ${id}`),
      logger: quietLogger,
      retryAfterSeconds: 120,
    });
    return { poller, calls };
  }
  const routeOf = (channelId: string, sellerId: string): AmazonRoute => ({
    channelId,
    sellerId,
    marketplaceIds: [],
    queueUrl: 'q',
    enabled: true,
    disconnected: false,
  });
  const message = (body: string) => ({ messageId: 'm', receiptHandle: 'h', body, receiveCount: 1 });

  it('stores, enqueues, then deletes, in that order', async () => {
    const { poller, calls } = rig();
    expect(await poller.handle(message(EXAMPLE))).toBe('stored');
    expect(calls).toEqual(['store amazon-us d0e9e693-c3ad-4373-979f-ed4ec98dd746', 'enqueue row-1', 'delete h']);
  });

  it('deletes a duplicate without enqueueing it again', async () => {
    const { poller, calls } = rig({ store: async () => 'duplicate' });
    expect(await poller.handle(message(EXAMPLE))).toBe('duplicate');
    expect(calls).toEqual(['delete h']);
  });

  it('deletes nothing when the store fails, so SQS delivers it again', async () => {
    const { poller, calls } = rig({
      store: async () => {
        throw new Error('database down');
      },
    });
    expect(await poller.handle(message(EXAMPLE))).toBe('store-failed');
    expect(calls).toEqual([]);
  });

  it('leaves an unreadable body and an unknown seller hidden for the retry time, stores neither', async () => {
    const { poller, calls } = rig({ route: [] });
    expect(await poller.handle(message('{"oops"'))).toBe('left');
    expect(await poller.handle(message(EXAMPLE))).toBe('left');
    expect(calls).toEqual(['release h 120', 'release h 120']);
  });
});
