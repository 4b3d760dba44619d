import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('ChannelApiQuota', { description: "One platform API's daily call quota as the hub has counted it today." })
export class ChannelApiQuota {
  @Field({ description: 'The API: IDENTITY (tokens), FULFILLMENT (orders), INVENTORY (stock), NOTIFICATION (keys).' })
  api!: string;

  @Field(() => Int, { description: 'Calls allowed a day.' })
  limit!: number;

  @Field(() => Int, { description: 'Calls counted today (every attempt, before it is sent).' })
  used!: number;

  @Field(() => Int, { description: 'Calls left today; at 0 the jobs wait for the reset instead of calling.' })
  remaining!: number;

  @Field({ description: 'When the counters reset (UTC).' })
  resetsAt!: Date;
}
