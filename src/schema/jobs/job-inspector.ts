/** The queues an operator can inspect (the names of src/jobs/queues.ts). */
export const JOB_QUEUES = [
  'diagnostics',
  'channel-sync',
  'stock-push',
  'fulfilment-push',
  'cancellation-push',
  'notifications',
  'labels',
  'payments',
] as const;
export type JobQueue = (typeof JOB_QUEUES)[number];

/** A job that failed for good (attempts spent, or an unrecoverable error), as operators see it. */
export interface FailedJobView {
  id: string;
  queue: JobQueue;
  name: string;
  /** The job's payload (ids only: payloads never carry secrets), as JSON. */
  data: string;
  failedReason: string | null;
  attemptsMade: number;
  createdAt: Date;
  processedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * What the API needs of the job queues, as a port: the resolvers know no BullMQ. Implemented in
 * src/jobs/job-inspector.ts.
 */
export interface JobInspector {
  /** The newest failed jobs of a queue, at most `first`. */
  failedJobs(queue: JobQueue, first: number): Promise<FailedJobView[]>;
  /** Puts a failed job back to wait with fresh attempts; NOT_FOUND if no such job, CONFLICT if it is not failed. */
  retryJob(queue: JobQueue, id: string): Promise<FailedJobView>;
  /**
   * Jobs waiting (waiting, delayed, prioritized) and failed per channel, over the queues whose
   * payload carries a channelId (channel-sync, stock-push), for these channels at once.
   */
  channelJobCounts(channelIds: readonly string[]): Promise<Map<string, ChannelJobCounts>>;
}

export interface ChannelJobCounts {
  jobsWaiting: number;
  jobsFailed: number;
}
