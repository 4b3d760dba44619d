import type { Job } from 'bullmq';
import { DomainError, ErrorCode, notFound } from '../domain/errors.js';
import type { FailedJobView, JobInspector, JobQueue } from '../schema/jobs/job-inspector.js';
import type { QueueRegistry } from './queues.js';

function viewOf(queue: JobQueue, job: Job): FailedJobView {
  return {
    id: String(job.id),
    queue,
    name: job.name,
    data: JSON.stringify(job.data ?? null),
    failedReason: job.failedReason || null,
    attemptsMade: job.attemptsMade,
    createdAt: new Date(job.timestamp),
    processedAt: job.processedOn ? new Date(job.processedOn) : null,
    finishedAt: job.finishedOn ? new Date(job.finishedOn) : null,
  };
}

/** The JobInspector over BullMQ's queues (failed jobs are kept: removeOnFail is off). */
export function bullJobInspector(queues: QueueRegistry): JobInspector {
  return {
    async failedJobs(queue, first) {
      const jobs = await queues[queue].getJobs(['failed'], 0, first - 1, false);
      return jobs.filter((j): j is Job => Boolean(j)).map((j) => viewOf(queue, j));
    },
    async retryJob(queue, id) {
      const job = await queues[queue].getJob(id);
      if (!job) throw notFound('Job', id);
      if ((await job.getState()) !== 'failed')
        throw new DomainError(ErrorCode.CONFLICT, `Job ${id} of ${queue} has not failed`, { id, queue });
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return viewOf(queue, (await queues[queue].getJob(id)) ?? job);
    },
  };
}
