import type { EntityManager } from '@mikro-orm/core';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { OutboxMessage } from '../domain/outbox/outbox-message.js';
import type { OutboxTopic } from '../domain/outbox/outbox.js';
import {
  claimUnpublished,
  deletePublishedBefore,
  hasUnpublished,
  markPublished,
  tryTakeRelayLock,
} from './outbox-store.js';

/** The Redis pub/sub channel of a topic: `<QUEUE_PREFIX>:events:<topic>`. */
export function eventChannel(prefix: string, topic: OutboxTopic | string): string {
  return `${prefix}:events:${topic}`;
}

/** Where committed events go. Must keep the given order and throw if any message was not sent. */
export interface OutboxPublisher {
  /**
   * `claim` is the relay's open transaction holding the batch. A consumer whose database serves
   * one session (PGlite) must read and write through it: a query on another connection would
   * wait for this transaction to end, which waits for the consumer.
   */
  publish(messages: readonly OutboxMessage[], claim?: EntityManager): Promise<void>;
}

/** Publishes on Redis pub/sub, in order, in one round trip (a pipeline on one connection keeps order). */
export function redisOutboxPublisher(redis: Redis, prefix: string): OutboxPublisher {
  return {
    async publish(messages) {
      const pipeline = redis.pipeline();
      for (const m of messages) pipeline.publish(eventChannel(prefix, m.topic), JSON.stringify(m));
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed || results.length !== messages.length) throw failed?.[0] ?? new Error('redis pipeline did not run');
    },
  };
}

export interface OutboxRelayOptions {
  logger: Logger;
  /** Rows claimed per transaction. */
  batchSize?: number;
  /** Pause after a batch that was not full (more may be committing right now). */
  busyDelayMs?: number;
  /** The pause doubles from busyDelayMs up to this while there is nothing to publish. */
  idleDelayMs?: number;
  /** Pause after a failure (database or Redis away), doubling up to 10× this. */
  errorDelayMs?: number;
  /** Published rows older than this are deleted… */
  retentionMs?: number;
  /** …this often (and once this long after start). */
  retentionEveryMs?: number;
  /**
   * Further consumers of each claimed batch (e.g. the channel job dispatcher), called after the
   * publisher and before the rows are marked published: if one throws, the batch is claimed
   * again, so each must be idempotent.
   */
  consumers?: OutboxPublisher[];
  /** Called with the number of rows of each published batch (metrics). */
  onPublished?: (count: number) => void;
}

const DEFAULTS = {
  batchSize: 500,
  // Short pauses: an event waits for the next pass before any subscriber sees it, and the
  // check for unpublished rows is one index probe (about 50 passes a second when idle).
  busyDelayMs: 5,
  idleDelayMs: 20,
  errorDelayMs: 1_000,
  retentionMs: 7 * 24 * 3600_000,
  retentionEveryMs: 3600_000,
};

/**
 * Publishes committed outbox rows, "nothing leaves before it is committed": a row is visible to
 * the relay only once the transaction that wrote it has committed, so a rolled-back change
 * publishes nothing. Each pass takes the relay lock (one claimer at a time, across processes),
 * claims up to a batch in id order, publishes it in that order, and marks the rows published in
 * the same transaction. If the process dies after publishing but before committing, the rows
 * are published again: delivery is at least once and consumers dedupe on the event id.
 *
 * Per-aggregate order holds because writers of one aggregate serialise on it (the versioned
 * order row, the locked stock_level row) while their outbox ids are drawn, so a later change of
 * an aggregate always has a higher id and commits after the earlier one.
 */
export class OutboxRelay {
  private readonly options: typeof DEFAULTS & OutboxRelayOptions;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private nextRetentionAt: number;

  constructor(
    private readonly orm: { em: EntityManager },
    private readonly publisher: OutboxPublisher,
    options: OutboxRelayOptions,
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.nextRetentionAt = Date.now() + Math.min(60_000, this.options.retentionEveryMs);
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Finishes the pass in hand (its batch is published and marked, or rolled back whole), then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
  }

  /**
   * One pass: publishes up to one batch. Returns how many rows it published; 0 when there was
   * nothing to publish or another relay held the lock.
   */
  async publishBatch(): Promise<number> {
    const em = this.orm.em.fork();
    if (!(await hasUnpublished(em))) return 0;
    return em.transactional(async (tx) => {
      if (!(await tryTakeRelayLock(tx))) return 0;
      const messages = await claimUnpublished(tx, this.options.batchSize);
      if (messages.length === 0) return 0;
      await this.publisher.publish(messages);
      for (const consumer of this.options.consumers ?? []) await consumer.publish(messages, tx);
      await markPublished(
        tx,
        messages.map((m) => m.id),
      );
      return messages.length;
    });
  }

  /** Deletes published rows past the retention period; returns how many. */
  async trimPublished(): Promise<number> {
    return deletePublishedBefore(this.orm.em.fork(), new Date(Date.now() - this.options.retentionMs));
  }

  private async loop(): Promise<void> {
    const { logger, batchSize, busyDelayMs, idleDelayMs, errorDelayMs } = this.options;
    let delay = busyDelayMs;
    let failures = 0;
    while (!this.stopping) {
      try {
        const published = await this.publishBatch();
        if (failures > 0) logger.info({ failures }, 'outbox relay recovered');
        failures = 0;
        if (published > 0) this.options.onPublished?.(published);
        // A full batch: more are waiting, go on at once.
        if (published >= batchSize) {
          delay = busyDelayMs;
          await new Promise((r) => setImmediate(r));
          continue;
        }
        delay = published > 0 ? busyDelayMs : Math.min(delay * 2, idleDelayMs);
        await this.maybeTrim();
      } catch (error) {
        failures++;
        // Log the first failure and then every 30th, not every retry of an outage.
        if (failures === 1 || failures % 30 === 0)
          logger.warn({ err: (error as Error).message, failures }, 'outbox relay failed; will retry');
        delay = Math.min(errorDelayMs * 2 ** Math.min(failures - 1, 4), errorDelayMs * 10);
      }
      await this.sleep(delay);
    }
  }

  private async maybeTrim(): Promise<void> {
    if (Date.now() < this.nextRetentionAt) return;
    this.nextRetentionAt = Date.now() + this.options.retentionEveryMs;
    const deleted = await this.trimPublished();
    if (deleted > 0) this.options.logger.info({ deleted }, 'deleted published outbox rows past retention');
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
