import type { Logger } from 'pino';
import {
  ORDER_CHANGE,
  readNotification,
  UnreadableNotification,
  type OrderChangeNotice,
} from '../connectors/amazon/order-change-notification.js';
import type { QueueMessage } from '../connectors/amazon/sqs-notification-queue.js';

/** The queue operations the poller uses (SqsNotificationQueue; a fake in unit tests). */
export interface NotificationQueue {
  readonly queueUrl: string;
  receive(stop: AbortSignal): Promise<QueueMessage[]>;
  delete(receiptHandle: string): Promise<void>;
  release(receiptHandle: string, seconds: number): Promise<void>;
}

/**
 * Where a notification goes: the Amazon channel of its seller, or why none takes it now.
 * `unknown` (no channel has that seller) and `disabled` leave the message on the queue (it comes
 * back, and after the queue's maxReceiveCount goes to its dead-letter queue, from where it can be
 * redriven once the channel is fixed); `disconnected` deletes it (the seller left the hub).
 */
export type NotificationRoute = { channelId: string } | { refused: 'unknown' | 'disabled' | 'disconnected' };

export interface AmazonNotificationPollerDeps {
  queue: NotificationQueue;
  route: (notice: OrderChangeNotice) => NotificationRoute;
  /**
   * Stores the notification as an inbox delivery (channel, NotificationId, ORDER_CHANGE, body)
   * and resolves once the row is committed; `duplicate` when that NotificationId is stored already.
   */
  store: (channelId: string, notice: OrderChangeNotice, body: string) => Promise<{ id: string } | 'duplicate'>;
  /** Hands a stored delivery to the webhooks queue; a failure is left to the inbox's sweeper. */
  enqueue: (deliveryId: string) => Promise<void>;
  logger: Logger;
  /** How long a message that cannot be handled now stays hidden before it comes back, seconds. */
  retryAfterSeconds?: number;
  /** Pause after a failed receive, doubled up to 30 s while it keeps failing. */
  receiveBackoffMs?: number;
}

/** What became of one message (for logs and tests). */
export type MessageOutcome = 'stored' | 'duplicate' | 'other-type' | 'left' | 'dropped' | 'store-failed';

/**
 * The SQS long-poll loop of one notification queue. Each message is stored in the webhook inbox
 * (deduped on NotificationId) and deleted only after its row is committed, so a poller that dies
 * between receive and delete loses nothing: the message becomes visible again after its
 * visibility timeout and is stored once (the second store finds the row). Processing (re-reading
 * the order and ingesting it) is the webhooks job's, as for every other inbox delivery.
 * `stop()` aborts the long poll and waits for the messages in hand to be stored and deleted.
 */
export class AmazonNotificationPoller {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly retryAfterSeconds: number;

  constructor(private readonly deps: AmazonNotificationPollerDeps) {
    this.retryAfterSeconds = deps.retryAfterSeconds ?? 300;
  }

  get queueUrl(): string {
    return this.deps.queue.queueUrl;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const log = this.deps.logger;
    const backoff = this.deps.receiveBackoffMs ?? 1_000;
    let failing = 0;
    while (!signal.aborted) {
      let messages: QueueMessage[];
      try {
        messages = await this.deps.queue.receive(signal);
        failing = 0;
      } catch (error) {
        if (signal.aborted) break;
        failing++;
        const wait = Math.min(30_000, backoff * 2 ** Math.min(failing - 1, 5));
        log.warn({ err: (error as Error).message, queueUrl: this.queueUrl, retryInMs: wait }, 'SQS receive failed');
        await pause(wait, signal);
        continue;
      }
      // Messages in hand are finished even when a stop comes meanwhile: each is a short store and delete.
      for (const message of messages)
        await this.handle(message).catch((err: Error) =>
          // A bug, not the message's fault: it stays undeleted and comes back; the loop goes on.
          log.error({ err: err.message, messageId: message.messageId }, 'SQS notification handling failed'),
        );
    }
  }

  /** One message: read, route, store, then delete; never throws. */
  async handle(message: QueueMessage): Promise<MessageOutcome> {
    const log = this.deps.logger.child({ messageId: message.messageId, receiveCount: message.receiveCount });
    let notice: ReturnType<typeof readNotification>;
    try {
      notice = readNotification(message.body);
    } catch (error) {
      if (!(error instanceof UnreadableNotification)) throw error;
      // Not lost: it comes back, and after the queue's maxReceiveCount lands in its dead-letter queue.
      log.warn({ err: error.message }, 'unreadable SQS notification left on the queue for its dead-letter queue');
      await this.leave(message, log);
      return 'left';
    }
    if ('otherType' in notice) {
      log.info(
        { notificationType: notice.otherType, notificationId: notice.notificationId },
        `SQS notification deleted: only ${ORDER_CHANGE} is processed`,
      );
      await this.delete(message, log);
      return 'other-type';
    }
    const route = this.deps.route(notice);
    if ('refused' in route) {
      const context = { sellerId: notice.sellerId, notificationId: notice.notificationId, refused: route.refused };
      if (route.refused === 'disconnected') {
        log.info(context, 'ORDER_CHANGE for a disconnected Amazon channel deleted');
        await this.delete(message, log);
        return 'dropped';
      }
      log.warn(context, 'ORDER_CHANGE no channel takes now left on the queue');
      await this.leave(message, log);
      return 'left';
    }
    let stored: { id: string } | 'duplicate';
    try {
      stored = await this.deps.store(route.channelId, notice, message.body);
    } catch (error) {
      // Not stored, so not deleted: it becomes visible again after its visibility timeout.
      log.warn({ err: (error as Error).message }, 'could not store an ORDER_CHANGE; SQS delivers it again');
      return 'store-failed';
    }
    if (stored !== 'duplicate')
      await this.deps
        .enqueue(stored.id)
        .catch((err: Error) => log.warn({ err: err.message }, 'stored ORDER_CHANGE not enqueued; the sweeper will'));
    await this.delete(message, log);
    return stored === 'duplicate' ? 'duplicate' : 'stored';
  }

  private async delete(message: QueueMessage, log: Logger): Promise<void> {
    // A failed delete is harmless: the message comes back and is found a duplicate.
    await this.deps.queue
      .delete(message.receiptHandle)
      .catch((err: Error) => log.warn({ err: err.message }, 'SQS delete failed; the message will come back'));
  }

  private async leave(message: QueueMessage, log: Logger): Promise<void> {
    await this.deps.queue
      .release(message.receiptHandle, this.retryAfterSeconds)
      .catch((err: Error) => log.warn({ err: err.message }, 'SQS visibility change failed'));
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
