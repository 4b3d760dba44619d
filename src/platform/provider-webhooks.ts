import type { Config } from '../config/config.js';
import type { ProviderWebhook } from '../connectors/provider-webhook.js';
import { stripeWebhookAdapter } from '../connectors/stripe/stripe-webhook.js';
import type { PaymentGateway } from '../domain/payments/payment-gateway.js';
import { stripeProviderWebhook } from './payments.js';
import { easyPostProviderWebhook } from './shipping.js';

/**
 * The platforms that are not channels but send the hub webhooks (Stripe's payment events,
 * EasyPost's tracking), as the inbox takes them (`POST /webhooks/<provider>`) and the `webhooks`
 * queue applies them. A provider whose secret is not configured answers 404 on its route.
 * Stripe's is there when the hub takes card payments through Stripe (its handler re-reads the
 * intent through the gateway); STRIPE_WEBHOOK_SECRET opens its route.
 */
export function providerWebhooks(config: Config, deps: { paymentGateway?: PaymentGateway } = {}): ProviderWebhook[] {
  const providers: ProviderWebhook[] = [easyPostProviderWebhook(config)];
  if (deps.paymentGateway?.id === 'stripe')
    providers.push(
      stripeProviderWebhook({
        gateway: deps.paymentGateway,
        adapter: stripeWebhookAdapter,
        secret: () => config.stripe.webhookSecret,
      }),
    );
  return providers;
}
