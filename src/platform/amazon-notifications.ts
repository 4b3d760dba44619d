import type { Logger } from 'pino';
import type { OrderChangeNotice } from '../connectors/amazon/order-change-notification.js';
import { ORDER_CHANGE } from '../connectors/amazon/order-change-notification.js';
import { SqsNotificationQueue, type SqsSettings } from '../connectors/amazon/sqs-notification-queue.js';
import { isAmazonCredentials } from '../domain/channels/channel-credentials.js';
import { openCredentials } from '../domain/channels/channel-secrets.js';
import { sqlRows } from '../domain/channels/sql.js';
import { recordDelivery } from '../domain/webhooks/record-delivery.js';
import { AmazonNotificationPoller, type NotificationRoute } from '../jobs/amazon-notification-poller.js';
import type { Orm } from './database.js';

/** An Amazon channel as notifications are routed to it. */
export interface AmazonRoute {
  channelId: string;
  sellerId: string;
  marketplaceIds: string[];
  queueUrl: string | null;
  enabled: boolean;
  disconnected: boolean;
}

/**
 * The channel an ORDER_CHANGE belongs to: the Amazon channel of its SellerId; of several, the one
 * selling in the notification's marketplace, an open one before a disabled or disconnected one,
 * then by id (a seller connected twice for one marketplace is a set-up mistake; one of them wins,
 * always the same). Pure.
 */
export function routeNotification(routes: readonly AmazonRoute[], notice: OrderChangeNotice): NotificationRoute {
  const rank = (r: AmazonRoute) =>
    (r.disconnected ? 4 : r.enabled ? 0 : 2) +
    (notice.marketplaceId && r.marketplaceIds.includes(notice.marketplaceId) ? 0 : 1);
  const [best] = routes
    .filter((r) => r.sellerId === notice.sellerId)
    .sort((a, b) => rank(a) - rank(b) || a.channelId.localeCompare(b.channelId));
  if (!best) return { refused: 'unknown' };
  if (best.disconnected) return { refused: 'disconnected' };
  if (!best.enabled) return { refused: 'disabled' };
  return { channelId: best.channelId };
}

interface ChannelRow {
  id: string;
  enabled: boolean;
  disconnected_at: Date | null;
  credentials_ciphertext: string | null;
}

/** Every Amazon channel's routing facts, its sealed grant opened (sellerId, marketplaces, queue). */
export async function loadAmazonRoutes(orm: Orm, encryptionKey: Buffer, logger: Logger): Promise<AmazonRoute[]> {
  const rows = await sqlRows<ChannelRow>(
    orm.em.fork(),
    `select id, enabled, disconnected_at, credentials_ciphertext from channel where kind = 'amazon' order by id`,
    [],
  );
  const routes: AmazonRoute[] = [];
  for (const row of rows) {
    try {
      const credentials = openCredentials(encryptionKey, row.id, row.credentials_ciphertext);
      if (!isAmazonCredentials(credentials)) continue;
      routes.push({
        channelId: row.id,
        sellerId: credentials.sellerId,
        marketplaceIds: credentials.marketplaceIds,
        queueUrl: credentials.notificationQueueUrl ?? null,
        enabled: row.enabled,
        disconnected: row.disconnected_at !== null,
      });
    } catch (error) {
      logger.warn({ channelId: row.id, err: (error as Error).message }, 'Amazon channel credentials do not open');
    }
  }
  return routes;
}

export interface AmazonNotificationDeps {
  orm: Orm;
  encryptionKey: Buffer;
  settings: SqsSettings & { retryAfterSeconds: number };
  /** Hands a stored delivery to the webhooks queue. */
  enqueue: (deliveryId: string) => Promise<void>;
  logger: Logger;
  /** How often the channels are read again (new queues, sellers, disabled channels). Default 60 s. */
  refreshEveryMs?: number;
}

/**
 * The worker role's SQS pollers: one per distinct notification queue among the open Amazon
 * channels (channels may share one), started and stopped as channels change (read again every
 * `refreshEveryMs`). Routing reads every Amazon channel, so a notification for a disabled or
 * disconnected one is told apart from an unknown seller. `stop()` ends every long poll and waits
 * for the messages in hand to be stored and deleted (graceful shutdown loses none; a kill loses
 * none either: undeleted messages come back after their visibility timeout).
 */
export class AmazonNotificationPollers {
  private routes: AmazonRoute[] = [];
  private readonly pollers = new Map<string, { poller: AmazonNotificationPoller; queue: SqsNotificationQueue }>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: AmazonNotificationDeps) {}

  /** Reads the channels and starts their pollers; then keeps them in step. */
  async start(): Promise<void> {
    await this.refresh().catch((err: Error) =>
      this.deps.logger.warn({ err: err.message }, 'could not read the Amazon notification queues; retrying'),
    );
    this.schedule();
  }

  /** The queues polled now. */
  get queueUrls(): string[] {
    return [...this.pollers.keys()];
  }

  async refresh(): Promise<void> {
    if (this.stopped) return;
    this.routes = await loadAmazonRoutes(this.deps.orm, this.deps.encryptionKey, this.deps.logger);
    const wanted = new Set(
      this.routes.filter((r) => r.queueUrl && r.enabled && !r.disconnected).map((r) => r.queueUrl!),
    );
    for (const [url, { poller, queue }] of this.pollers) {
      if (wanted.has(url)) continue;
      this.pollers.delete(url);
      await poller.stop();
      queue.close();
      this.deps.logger.info({ queueUrl: url }, 'stopped polling an Amazon notification queue');
    }
    for (const url of wanted) {
      if (this.pollers.has(url) || this.stopped) continue;
      const queue = new SqsNotificationQueue(url, this.deps.settings);
      const poller = new AmazonNotificationPoller({
        queue,
        route: (notice) => routeNotification(this.routes, notice),
        store: (channelId, notice, body) => this.store(channelId, notice, body),
        enqueue: this.deps.enqueue,
        logger: this.deps.logger.child({ queueUrl: url }),
        retryAfterSeconds: this.deps.settings.retryAfterSeconds,
      });
      this.pollers.set(url, { poller, queue });
      poller.start();
      this.deps.logger.info({ queueUrl: url }, 'polling an Amazon notification queue');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.refreshing;
    const all = [...this.pollers.values()];
    this.pollers.clear();
    await Promise.all(all.map(({ poller }) => poller.stop()));
    for (const { queue } of all) queue.close();
  }

  /** One inbox row per NotificationId, committed when this resolves (a standalone statement). */
  private async store(
    channelId: string,
    notice: OrderChangeNotice,
    body: string,
  ): Promise<{ id: string } | 'duplicate'> {
    const stored = await recordDelivery(this.deps.orm.em.fork(), {
      channelId,
      deliveryId: notice.notificationId,
      topic: ORDER_CHANGE,
      triggeredAt: notice.publishedAt,
      body,
    });
    return stored.duplicate ? 'duplicate' : { id: stored.id };
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.refreshing = this.refresh()
        .catch((err: Error) =>
          this.deps.logger.warn({ err: err.message }, 'could not re-read the Amazon notification queues'),
        )
        .finally(() => this.schedule());
    }, this.deps.refreshEveryMs ?? 60_000);
    this.timer.unref();
  }
}
