import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ApiKeyResolver } from './auth/api-key.resolver.js';
import { UserResolver } from './auth/user.resolver.js';
import { authChecker } from './auth/auth-checker.js';
import { ChannelHealthResolver } from './channels/channel-health.resolver.js';
import { ChannelWebhookUrlResolver } from './channels/channel-webhook-url.resolver.js';
import { ChannelQuotaResolver } from './channels/channel-quota.resolver.js';
import { ChannelResolver } from './channels/channel.resolver.js';
import { CatalogResolver } from './catalog/catalog.resolver.js';
import { ProductFieldsResolver, VariantFieldsResolver } from './catalog/product-fields.resolver.js';
import { DiagnosticsResolver } from './diagnostics/diagnostics.resolver.js';
import { createEventPubSub, type EventPubSub } from './events/event-pubsub.js';
import { SubscriptionsResolver } from './events/subscriptions.resolver.js';
import { AllocationResolver } from './inventory/allocation.resolver.js';
import { LocationResolver } from './inventory/location.resolver.js';
import { StockMutationResolver } from './inventory/stock-mutation.resolver.js';
import { StockQueryResolver } from './inventory/stock-query.resolver.js';
import { CustomerResolver } from './orders/customer.resolver.js';
import { OrderLifecycleResolver } from './orders/lifecycle/order-lifecycle.resolver.js';
import { ReturnResolver } from './orders/lifecycle/return.resolver.js';
import { ShipmentResolver } from './orders/lifecycle/shipment.resolver.js';
import { OrderFieldsResolver } from './orders/order-fields.resolver.js';
import { PaymentSummaryResolver } from './orders/payment-summary.resolver.js';
import { JobResolver } from './jobs/job.resolver.js';
import { SyncProgressResolver } from './jobs/sync-progress.resolver.js';
import { OrderResolver } from './orders/order.resolver.js';
import { PrivacyResolver } from './privacy/privacy.resolver.js';
import { OrderStatsResolver } from './reports/order-stats.resolver.js';
import { WebhookDeliveryResolver } from './webhooks/webhook-delivery.resolver.js';
import { ShipmentShippingFieldsResolver } from './shipping/shipment-shipping-fields.resolver.js';
import { ShippingResolver } from './shipping/shipping.resolver.js';

export const resolvers = [
  ApiKeyResolver,
  UserResolver,
  DiagnosticsResolver,
  JobResolver,
  CatalogResolver,
  ProductFieldsResolver,
  VariantFieldsResolver,
  OrderResolver,
  OrderFieldsResolver,
  PaymentSummaryResolver,
  CustomerResolver,
  OrderLifecycleResolver,
  ShipmentResolver,
  ReturnResolver,
  LocationResolver,
  StockQueryResolver,
  StockMutationResolver,
  AllocationResolver,
  OrderStatsResolver,
  PrivacyResolver,
  ChannelResolver,
  ChannelHealthResolver,
  ChannelWebhookUrlResolver,
  ChannelQuotaResolver,
  SubscriptionsResolver,
  WebhookDeliveryResolver,
  SyncProgressResolver,
  ShippingResolver,
  ShipmentShippingFieldsResolver,
] as const;

/**
 * `pubSub` is the event feed subscriptions read; the API passes the Redis-backed one. Without
 * it (emit-schema, tests) an in-process feed is used, so the schema builds without Redis.
 */
export async function buildGraphQLSchema(options: { pubSub?: EventPubSub } = {}): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, authChecker, authMode: 'error', pubSub: options.pubSub ?? createEventPubSub() });
}

/** The SDL committed as schema.graphql: sorted, so reviews show real API changes only. */
export function renderSchemaSDL(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
