import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { createLocation, listLocations, updateLocation } from '../../domain/inventory/location.service.js';
import { allowed } from '../auth/policy.js';
import { operationContext, type GraphQLContext } from '../context.js';
import { CreateLocationInput, UpdateLocationInput } from './location.inputs.js';
import { LocationNode, locationNodeOf } from './location.types.js';

@Resolver()
export class LocationResolver {
  @Authorized(allowed('locations'))
  @Query(() => [LocationNode], { description: 'Every location, by priority then code.' })
  async locations(@Ctx() ctx: GraphQLContext): Promise<LocationNode[]> {
    return (await listLocations(operationContext(ctx))).map(locationNodeOf);
  }

  @Authorized(allowed('createLocation'))
  @Mutation(() => LocationNode, { description: 'Adds a warehouse or store. CONFLICT when the code is taken.' })
  async createLocation(
    @Arg('input', () => CreateLocationInput) input: CreateLocationInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<LocationNode> {
    return locationNodeOf(await createLocation(operationContext(ctx), input));
  }

  @Authorized(allowed('updateLocation'))
  @Mutation(() => LocationNode, {
    description: 'Changes a location; applies to the next allocation, reservations already made stay.',
  })
  async updateLocation(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateLocationInput) input: UpdateLocationInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<LocationNode> {
    return locationNodeOf(await updateLocation(operationContext(ctx), id, { ...input }));
  }
}
