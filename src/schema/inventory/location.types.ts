import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { Location } from '../../domain/inventory/location.entity.js';
import { Address, addressOf } from '../common/address.type.js';

@ObjectType('Location', { description: 'A warehouse or store that holds stock and may ship orders for some channels.' })
export class LocationNode {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Short unique code (upper case), e.g. DAL-1; never changes.' })
  code!: string;

  @Field()
  name!: string;

  @Field(() => Address)
  address!: Address;

  @Field(() => Float, {
    nullable: true,
    description: 'With longitude, lets sourcing pick the nearest location by distance.',
  })
  latitude!: number | null;

  @Field(() => Float, { nullable: true })
  longitude!: number | null;

  @Field(() => Int, { description: 'Lower ships first when distance and country do not decide.' })
  priority!: number;

  @Field({ description: 'Inactive locations keep their stock but never ship or count as available to sell.' })
  active!: boolean;

  @Field({ description: 'Ships online orders; false for e.g. a store that only sells over the counter.' })
  fulfilsOnline!: boolean;

  @Field(() => [String], { description: 'Channels it ships for; empty means every channel.' })
  channelIds!: string[];

  @Field()
  createdAt!: Date;
}

export function locationNodeOf(l: Location): LocationNode {
  return {
    id: l.id,
    code: l.code,
    name: l.name,
    address: addressOf(l.address),
    latitude: l.latitude == null ? null : Number(l.latitude),
    longitude: l.longitude == null ? null : Number(l.longitude),
    priority: l.priority,
    active: l.active,
    fulfilsOnline: l.fulfilsOnline,
    channelIds: [...l.channelIds],
    createdAt: l.createdAt,
  };
}
