import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JOB_QUEUES, type FailedJobView, type JobQueue } from './job-inspector.js';

/** UPPER_CASE names (CHANNEL_SYNC) for the queue names (channel-sync), built from the one list. */
export const JobQueueEnum = Object.fromEntries(JOB_QUEUES.map((q) => [q.toUpperCase().replaceAll('-', '_'), q])) as {
  [Q in JobQueue as Uppercase<Q> extends `${infer A}-${infer B}` ? `${A}_${B}` : Uppercase<Q>]: Q;
};
registerEnumType(JobQueueEnum, { name: 'JobQueue', description: 'A job queue (one per concern).' });

@ObjectType('FailedJob', { description: 'A job that failed for good; it stays until retried or removed.' })
export class FailedJobNode {
  @Field(() => ID)
  id!: string;

  @Field(() => JobQueueEnum)
  queue!: JobQueue;

  @Field()
  name!: string;

  @Field({ description: 'The payload as JSON (ids only: payloads never carry secrets).' })
  data!: string;

  @Field(() => String, { nullable: true })
  failedReason!: string | null;

  @Field(() => Int)
  attemptsMade!: number;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  processedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;
}

export const failedJobNodeOf = (v: FailedJobView): FailedJobNode => ({ ...v });
