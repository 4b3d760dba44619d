import { Field, Float, InputType, Int } from 'type-graphql';
import { AddressInput } from '../common/address.type.js';

@InputType({ description: 'A new location; limits are checked by the service.' })
export class CreateLocationInput {
  @Field({ description: '1 to 32 letters, digits, _ or -; stored upper case; unique and never changes.' })
  code!: string;

  @Field({ description: '1 to 200 characters.' })
  name!: string;

  @Field(() => AddressInput)
  address!: AddressInput;

  @Field(() => Float, { nullable: true, description: '-90 to 90; defaults to address.latitude.' })
  latitude?: number | null;

  @Field(() => Float, { nullable: true, description: '-180 to 180; defaults to address.longitude.' })
  longitude?: number | null;

  @Field(() => Int, { nullable: true, description: '0 to 10000, default 100; lower ships first.' })
  priority?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  active?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  fulfilsOnline?: boolean | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Channel ids it ships for; empty or absent means every channel.',
  })
  channelIds?: string[] | null;
}

@InputType({ description: 'Changes to a location; absent fields stay as they are. The code cannot change.' })
export class UpdateLocationInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => AddressInput, { nullable: true })
  address?: AddressInput | null;

  @Field(() => Float, { nullable: true, description: 'null clears it.' })
  latitude?: number | null;

  @Field(() => Float, { nullable: true, description: 'null clears it.' })
  longitude?: number | null;

  @Field(() => Int, { nullable: true })
  priority?: number | null;

  @Field(() => Boolean, { nullable: true })
  active?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  fulfilsOnline?: boolean | null;

  @Field(() => [String], { nullable: true, description: 'Replaces the list; [] means every channel.' })
  channelIds?: string[] | null;
}
