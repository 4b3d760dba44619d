import { ArgsType, Field, Int } from 'type-graphql';

/** `first` and `after` of every Relay connection; connection args extend it. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size, 1 to 100 (required).' })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}
