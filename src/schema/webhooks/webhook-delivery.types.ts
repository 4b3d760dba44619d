import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import {
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
} from '../../domain/webhooks/webhook-delivery.entity.js';
import { upperCaseEnumOf } from '../common/enum-of.js';
import { PageArgs } from '../common/page-args.js';
import { PageInfo } from '../common/page-info.type.js';

export const WebhookDeliveryStatusEnum = upperCaseEnumOf(WEBHOOK_DELIVERY_STATUSES);
registerEnumType(WebhookDeliveryStatusEnum, {
  name: 'WebhookDeliveryStatus',
  description:
    'PENDING: stored, waiting for a worker. PROCESSING: a worker holds it. PROCESSED: done (see outcome). ' +
    'FAILED: out of retries (see lastError); replayable. IGNORED: nothing to do (e.g. an older version).',
});

@ObjectType('WebhookDelivery', { description: 'One verified platform webhook, as the inbox stored and processed it.' })
export class WebhookDeliveryNode {
  @Field(() => ID)
  id!: string;

  @Field()
  channelId!: string;

  @Field({ description: "The platform's id for the delivery (Shopify: the event id, else the webhook id)." })
  deliveryId!: string;

  @Field({ description: 'The platform topic, e.g. orders/create.' })
  topic!: string;

  @Field(() => Date, { nullable: true, description: 'When the platform says the event happened.' })
  triggeredAt!: Date | null;

  @Field()
  receivedAt!: Date;

  @Field(() => WebhookDeliveryStatusEnum)
  status!: WebhookDeliveryStatus;

  @Field(() => Int, { description: 'How often a worker took it up.' })
  attempts!: number;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  processedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'What processing did, e.g. "created order …".' })
  outcome!: string | null;
}

export function webhookDeliveryNodeOf(d: WebhookDelivery): WebhookDeliveryNode {
  return {
    id: d.id,
    channelId: d.channelId,
    deliveryId: d.deliveryId,
    topic: d.topic,
    triggeredAt: d.triggeredAt ?? null,
    receivedAt: d.createdAt,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError ?? null,
    processedAt: d.processedAt ?? null,
    outcome: d.outcome ?? null,
  };
}

@ObjectType()
export class WebhookDeliveryEdge {
  @Field()
  cursor!: string;

  @Field(() => WebhookDeliveryNode)
  node!: WebhookDeliveryNode;
}

@ObjectType()
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge])
  edges!: WebhookDeliveryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@ArgsType()
export class WebhookDeliveriesArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "A channel-scoped key sees only its own channel's." })
  channelId?: string | null;

  @Field(() => WebhookDeliveryStatusEnum, { nullable: true })
  status?: WebhookDeliveryStatus | null;
}
