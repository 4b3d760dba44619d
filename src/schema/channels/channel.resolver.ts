import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Mutation, Query, Resolver } from 'type-graphql';
import { listChannelListings, mapListing } from '../../domain/channels/channel-listing.service.js';
import { findChannel, listChannels, viewOf } from '../../domain/channels/channel-queries.js';
import { connectChannel, disconnectChannel, updateChannel } from '../../domain/channels/channel.service.js';
import { requestChannelSync } from '../../domain/channels/request-channel-sync.js';
import { allowed } from '../auth/policy.js';
import { PageArgs } from '../common/page-args.js';
import { connectionOf } from '../common/page-info.type.js';
import { operationContext, type GraphQLContext } from '../context.js';
import { ConnectChannelInput, MapListingInput, UpdateChannelInput } from './channel.inputs.js';
import {
  ChannelListingConnection,
  ChannelListingNode,
  channelListingNodeOf,
  ChannelNode,
  channelNodeOf,
  SyncChannelPayload,
} from './channel.types.js';

@ArgsType()
class ChannelListingsArgs extends PageArgs {
  @Field(() => ID)
  channelId!: string;
}

@Resolver()
export class ChannelResolver {
  @Authorized(allowed('channels'))
  @Query(() => [ChannelNode], { description: 'Every channel by id; a channel-scoped key sees only its own.' })
  async channels(@Ctx() ctx: GraphQLContext): Promise<ChannelNode[]> {
    const op = operationContext(ctx);
    return (await listChannels(op)).map((v) => channelNodeOf(v, op.actor));
  }

  @Authorized(allowed('channel'))
  @Query(() => ChannelNode, { description: 'One channel; NOT_FOUND when it does not exist.' })
  async channel(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ChannelNode> {
    const op = operationContext(ctx);
    return channelNodeOf(await findChannel(op, id), op.actor);
  }

  @Authorized(allowed('channelListings'))
  @Query(() => ChannelListingConnection, { description: "A channel's SKU ↔ platform ids, by SKU." })
  async channelListings(
    @Args() args: ChannelListingsArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChannelListingConnection> {
    return connectionOf(await listChannelListings(operationContext(ctx), args.channelId, args), channelListingNodeOf);
  }

  @Authorized(allowed('connectChannel'))
  @Mutation(() => ChannelNode, {
    description:
      'Connects a sales channel; its credentials are stored encrypted and never returned. CONFLICT when the id is taken.',
  })
  async connectChannel(
    @Arg('input', () => ConnectChannelInput) input: ConnectChannelInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChannelNode> {
    const op = operationContext(ctx);
    const channel = await connectChannel(op, ctx.services.channels, {
      ...input,
      credentials: { ...input.credentials },
    });
    return channelNodeOf(await viewOf(op.em, channel), op.actor);
  }

  @Authorized(allowed('updateChannel'))
  @Mutation(() => ChannelNode, { description: 'Changes a channel; enabled: true reconnects a disconnected one.' })
  async updateChannel(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateChannelInput) input: UpdateChannelInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChannelNode> {
    const op = operationContext(ctx);
    const channel = await updateChannel(op, ctx.services.channels, id, {
      ...input,
      credentials: input.credentials ? { ...input.credentials } : input.credentials,
    });
    return channelNodeOf(await viewOf(op.em, channel), op.actor);
  }

  @Authorized(allowed('disconnectChannel'))
  @Mutation(() => ChannelNode, { description: 'Stops syncing a channel; every order, listing and credential stays.' })
  async disconnectChannel(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ChannelNode> {
    const op = operationContext(ctx);
    return channelNodeOf(await viewOf(op.em, await disconnectChannel(op, id)), op.actor);
  }

  @Authorized(allowed('syncChannel'))
  @Mutation(() => SyncChannelPayload, {
    description: "Pulls the channel's orders now: updated since `since`, or since its cursor when absent.",
  })
  async syncChannel(
    @Arg('id', () => ID) id: string,
    @Arg('since', () => Date, { nullable: true }) since: Date | null | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SyncChannelPayload> {
    const jobId = await requestChannelSync(operationContext(ctx), ctx.services.channelSync, id, since ?? null);
    return { jobId, channelId: id };
  }

  @Authorized(allowed('mapListing'))
  @Mutation(() => ChannelListingNode, {
    nullable: true,
    description:
      'Sets by hand which platform variant a SKU is (wins over sync); externalVariantId null clears it (null answer).',
  })
  async mapListing(
    @Arg('input', () => MapListingInput) input: MapListingInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChannelListingNode | null> {
    const listing = await mapListing(operationContext(ctx), {
      ...input,
      externalVariantId: input.externalVariantId ?? null,
    });
    return listing ? channelListingNodeOf(listing) : null;
  }
}
