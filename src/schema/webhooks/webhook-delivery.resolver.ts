import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { replayWebhookDelivery } from '../../domain/webhooks/replay-delivery.js';
import { listWebhookDeliveries } from '../../domain/webhooks/webhook-delivery-queries.js';
import { allowed } from '../auth/policy.js';
import { connectionOf } from '../common/page-info.type.js';
import { operationContext, type GraphQLContext } from '../context.js';
import {
  WebhookDeliveriesArgs,
  WebhookDeliveryConnection,
  WebhookDeliveryNode,
  webhookDeliveryNodeOf,
} from './webhook-delivery.types.js';

@Resolver()
export class WebhookDeliveryResolver {
  @Authorized(allowed('webhookDeliveries'))
  @Query(() => WebhookDeliveryConnection, {
    description: 'Stored webhook deliveries, newest first, with their outcome.',
  })
  async webhookDeliveries(
    @Args() args: WebhookDeliveriesArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WebhookDeliveryConnection> {
    return connectionOf(await listWebhookDeliveries(operationContext(ctx), args), webhookDeliveryNodeOf);
  }

  @Authorized(allowed('replayWebhookDelivery'))
  @Mutation(() => WebhookDeliveryNode, {
    description: 'Processes a stored delivery again from its stored body (e.g. a FAILED one after a fix).',
  })
  async replayWebhookDelivery(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WebhookDeliveryNode> {
    const webhooks = ctx.services.webhooks;
    if (!webhooks) throw new DomainError(ErrorCode.UNAVAILABLE, 'The webhook queue is not configured on this process');
    const delivery = await replayWebhookDelivery(operationContext(ctx), webhooks.dispatcher, id, webhooks.leaseSeconds);
    return webhookDeliveryNodeOf(delivery);
  }
}
