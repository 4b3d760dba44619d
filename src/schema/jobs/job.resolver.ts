import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { badInput, DomainError, ErrorCode } from '../../domain/errors.js';
import { allowed } from '../auth/policy.js';
import { operationContext, type GraphQLContext } from '../context.js';
import type { JobInspector, JobQueue } from './job-inspector.js';
import { FailedJobNode, failedJobNodeOf, JobQueueEnum } from './job.types.js';

export const MAX_FAILED_JOBS = 100;

function inspectorOf(ctx: GraphQLContext): JobInspector {
  operationContext(ctx);
  if (!ctx.services.jobs) throw new DomainError(ErrorCode.UNAVAILABLE, 'The job queues are not available here');
  return ctx.services.jobs;
}

@Resolver()
export class JobResolver {
  @Authorized(allowed('failedJobs'))
  @Query(() => [FailedJobNode], { description: 'The newest failed jobs of a queue (kept until retried).' })
  async failedJobs(
    @Arg('queue', () => JobQueueEnum) queue: JobQueue,
    @Arg('first', () => Int, { defaultValue: 20, description: `1 to ${MAX_FAILED_JOBS}.` }) first: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<FailedJobNode[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_FAILED_JOBS)
      throw badInput('first', `must be 1 to ${MAX_FAILED_JOBS}`, { max: MAX_FAILED_JOBS });
    return (await inspectorOf(ctx).failedJobs(queue, first)).map(failedJobNodeOf);
  }

  @Authorized(allowed('retryJob'))
  @Mutation(() => FailedJobNode, { description: 'Runs a failed job again with fresh attempts.' })
  async retryJob(
    @Arg('queue', () => JobQueueEnum) queue: JobQueue,
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<FailedJobNode> {
    return failedJobNodeOf(await inspectorOf(ctx).retryJob(queue, id));
  }
}
