import type { Job } from 'bullmq';
import { DomainError, ErrorCode, notFound } from '../domain/errors.js';
import type { ChannelJobCounts, FailedJobView, JobInspector, JobQueue } from '../schema/jobs/job-inspector.js';
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

/** The queues whose payload names a channel (QueuePayloads: `{ channelId }`). */
const CHANNEL_QUEUES = ['channel-sync', 'stock-push'] as const;
const WAITING_STATES = ['waiting', 'delayed', 'prioritized'] as const;
/** Most jobs read per queue and state group: the health figures stay cheap however long a backlog grows. */
export const CHANNEL_JOB_SCAN_LIMIT = 1_000;

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
    async channelJobCounts(channelIds) {
      const wanted = new Set(channelIds);
      const counts = new Map<string, ChannelJobCounts>(channelIds.map((id) => [id, { jobsWaiting: 0, jobsFailed: 0 }]));
      if (wanted.size === 0) return counts;
      const groups = [
        { states: [...WAITING_STATES], field: 'jobsWaiting' },
        { states: ['failed'], field: 'jobsFailed' },
      ] as const;
      await Promise.all(
        CHANNEL_QUEUES.flatMap((name) =>
          groups.map(async ({ states, field }) => {
            const queue = queues[name];
            // One cheap count first: the jobs themselves are read only when a state holds any.
            const byState = await queue.getJobCounts(...states);
            if (Object.values(byState).every((n) => n === 0)) return;
            const jobs = await queue.getJobs([...states], 0, CHANNEL_JOB_SCAN_LIMIT - 1, true);
            for (const job of jobs) {
              const channelId = (job?.data as { channelId?: unknown } | undefined)?.channelId;
              if (typeof channelId === 'string' && wanted.has(channelId)) counts.get(channelId)![field] += 1;
            }
          }),
        ),
      );
      return counts;
    },
  };
}
