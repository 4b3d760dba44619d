import { DelayedError, Worker, type ConnectionOptions, type Job, type RateLimiterOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { QueueName, QueuePayloads } from './queues.js';

/**
 * What a processor may need of the worker running it: BullMQ's rate limiter, the job's lock
 * token, and whether the worker is shutting down (a long job checks it between steps and hands
 * the rest back, so a SIGTERM never waits on it or leaves it to stall).
 */
export interface JobRuntime {
  worker: Worker;
  token: string | undefined;
  stopping(): boolean;
  /**
   * Puts this job back to run again in `ms`, spending no attempt (BullMQ's DelayedError): for
   * waits that concern this job alone, such as its channel's Retry-After.
   */
  delay(ms: number): Promise<never>;
}

export type Processor<N extends QueueName> = (job: Job<QueuePayloads[N]>, runtime: JobRuntime) => Promise<unknown>;
export type ProcessorMap = {
  [N in QueueName]?: {
    process: Processor<N>;
    concurrency: number;
    limiter?: RateLimiterOptions;
    /** Times a job may stall (its worker died) before it fails; 2 unless told. */
    maxStalledCount?: number;
  };
};

export interface WorkerRunner {
  workers: Worker[];
  /**
   * Shutdown has begun (readiness is false): from now on `stopping()` is true for every job in
   * hand, so a long one hands the rest back at its next step even before close() is reached.
   */
  beginShutdown(): void;
  /** Stops taking jobs and waits for those in hand; after `timeoutMs` gives them back (they stall and rerun). */
  close(timeoutMs: number): Promise<void>;
}

export function startWorkers(
  processors: ProcessorMap,
  connection: ConnectionOptions,
  prefix: string,
  logger: Logger,
  lockMs: number,
): WorkerRunner {
  const workers: Worker[] = [];
  let shuttingDown = false;
  for (const [name, spec] of Object.entries(processors) as [
    QueueName,
    { process: Processor<QueueName>; concurrency: number; limiter?: RateLimiterOptions; maxStalledCount?: number },
  ][]) {
    const worker: Worker = new Worker<QueuePayloads[QueueName]>(
      name,
      (job, token) =>
        spec.process(job, {
          worker,
          token,
          stopping: () => shuttingDown || worker.closing !== undefined,
          delay: async (ms) => {
            await job.moveToDelayed(Date.now() + Math.max(1, Math.ceil(ms)), token);
            throw new DelayedError();
          },
        }),
      {
        connection,
        prefix,
        concurrency: spec.concurrency,
        ...(spec.limiter ? { limiter: spec.limiter } : {}),
        // A job whose worker dies is taken back once its lock expires and the stalled check runs,
        // then rerun; processors are idempotent, so a rerun is safe.
        lockDuration: lockMs,
        stalledInterval: lockMs,
        maxStalledCount: spec.maxStalledCount ?? 2,
      },
    );
    worker.on('failed', (job, err) =>
      logger.warn({ queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'),
    );
    worker.on('error', (err) => logger.error({ queue: name, err: err.message }, 'worker error'));
    workers.push(worker);
  }
  return {
    workers,
    beginShutdown() {
      shuttingDown = true;
      // No new jobs from here on: the HTTP front door closes before the workers do, and a worker
      // still fetching meanwhile would take each continuation a stopping pull hands back, one
      // page at a time, until its close (the jobs in hand finish as before).
      for (const worker of workers) void worker.pause(true).catch(() => undefined);
    },
    async close(timeoutMs) {
      shuttingDown = true;
      const graceful = Promise.all(workers.map((w) => w.close()));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
      const outcome = await Promise.race([graceful.then(() => 'done' as const), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        // Stop waiting: the connections close next, the locks lapse and another worker reruns
        // the jobs (processors are idempotent).
        logger.warn({ timeoutMs }, 'jobs still running at the shutdown deadline: leaving them to be rerun');
        for (const w of workers) void w.close(true).catch(() => undefined);
      }
    },
  };
}
