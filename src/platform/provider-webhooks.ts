import type { Config } from '../config/config.js';
import type { ProviderWebhook } from '../connectors/provider-webhook.js';
import { easyPostProviderWebhook } from './shipping.js';

/**
 * The platforms that are not channels but send the hub webhooks (Stripe's payment events,
 * EasyPost's tracking), as the inbox takes them (`POST /webhooks/<provider>`) and the `webhooks`
 * queue applies them. A provider whose secret is not configured answers 404 on its route.
 */
export function providerWebhooks(config: Config): ProviderWebhook[] {
  return [easyPostProviderWebhook(config)];
}
