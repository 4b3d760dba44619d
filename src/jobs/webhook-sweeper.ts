import type { Logger } from 'pino';
import { pendingDeliveryIds } from '../domain/webhooks/delivery-maintenance.js';
import type { Orm } from '../platform/database.js';

export interface WebhookSweeperOptions {
  /** Hands a delivery to the queue again (a job that already ran under its id is revived). */
  enqueue: (deliveryId: string) => Promise<void>;
  logger: Logger;
  /** How often to look. */
  intervalMs?: number;
  /** Deliveries pending for longer than this were probably never enqueued. */
  olderThanSeconds?: number;
  /** At most this many per pass. */
  limit?: number;
  /** A delivery held longer than this (its worker died) is enqueued again. */
  leaseSeconds?: number;
}

/**
 * The route enqueues after answering; if Redis was down then (or lost its last second), the
 * delivery sits `pending` in PostgreSQL with no job; a delivery whose holder died sits
 * `processing` past its lease. This pass re-enqueues such deliveries;
 * the job id is the row id, so a delivery whose job does exist is not enqueued twice, and the
 * claim makes a rerun a no-op. Runs in every worker process; concurrent sweeps are harmless.
 */
export class WebhookSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly orm: Pick<Orm, 'em'>,
    private readonly options: WebhookSweeperOptions,
  ) {}

  start(): void {
    this.schedule();
  }

  /** One pass; returns how many deliveries were handed to the queue. */
  async sweep(): Promise<number> {
    const ids = await pendingDeliveryIds(
      this.orm.em.fork(),
      this.options.olderThanSeconds ?? 10,
      this.options.limit ?? 500,
      this.options.leaseSeconds,
    );
    let enqueued = 0;
    for (const id of ids) {
      if (this.stopped) break;
      await this.options.enqueue(id);
      enqueued++;
    }
    if (enqueued > 0) this.options.logger.info({ enqueued }, 'webhook sweeper re-enqueued pending deliveries');
    return enqueued;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then(() => undefined)
        .catch((err: Error) =>
          this.options.logger.warn({ err: err.message }, 'webhook sweep failed; next pass retries'),
        )
        .finally(() => this.schedule());
    }, this.options.intervalMs ?? 5_000);
    this.timer.unref();
  }
}
