import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import { EasyPostSimulator } from '../../connectors/carriers/easypost/simulator/easypost-simulator.js';
import {
  SIM_SECRET_KEY,
  SIM_WEBHOOK_SECRET,
  StripeSimulator,
} from '../../connectors/stripe/simulator/stripe-simulator.js';

/**
 * The sandbox's payment and carrier providers: the Stripe and EasyPost simulators, started in
 * this process before the hub builds its gateway and carrier, for whichever of the two the
 * merchant has not configured (a real STRIPE_SECRET_KEY or EASYPOST_API_KEY is always used as
 * given). `config` is the hub's configuration with the simulators' settings filled in; once the
 * hub listens, `connect` points the simulators' signed webhooks at it.
 */
export interface SandboxProviders {
  config: Config;
  stripe: StripeSimulator | null;
  easypost: EasyPostSimulator | null;
  connect(hubBaseUrl: string): void;
  stop(): Promise<void>;
}

/** The loopback simulator answers at once; a call still waiting this long has hung. */
const SIMULATOR_TIMEOUT_MS = 15_000;

export async function startSandboxProviders(config: Config, logger: Logger): Promise<SandboxProviders> {
  let stripe: StripeSimulator | null = null;
  let easypost: EasyPostSimulator | null = null;
  const stop = async () => {
    await stripe?.stop();
    await easypost?.stop();
  };
  try {
    let stripeConfig = config.stripe;
    if (!config.stripe.secretKey) {
      stripe = new StripeSimulator({ secretKey: SIM_SECRET_KEY, webhookSecret: SIM_WEBHOOK_SECRET });
      stripeConfig = { secretKey: SIM_SECRET_KEY, webhookSecret: SIM_WEBHOOK_SECRET, apiBase: await stripe.start() };
    }
    let shipping = config.shipping;
    if (!config.shipping.easypost) {
      const apiKey = `EZTK${randomBytes(16).toString('hex')}`;
      easypost = await EasyPostSimulator.start({ apiKey, seed: Date.now() % 2 ** 31 });
      shipping = {
        easypost: { apiKey, baseUrl: easypost.baseUrl, timeoutMs: SIMULATOR_TIMEOUT_MS },
        easypostWebhookSecret: randomBytes(16).toString('hex'),
      };
    }
    const webhookSecret = shipping.easypostWebhookSecret;
    logger.info(
      `sandbox: payments through ${stripe ? `the Stripe simulator at ${stripeConfig.apiBase}` : 'the configured Stripe account'}, ` +
        `labels through ${easypost ? `the EasyPost simulator at ${easypost.url}` : 'the configured EasyPost account'}`,
    );
    return {
      config: { ...config, stripe: stripeConfig, shipping },
      stripe,
      easypost,
      connect(hubBaseUrl) {
        stripe?.addWebhookEndpoint(`${hubBaseUrl}/webhooks/stripe`);
        if (webhookSecret) easypost?.setWebhook({ url: `${hubBaseUrl}/webhooks/easypost`, secret: webhookSecret });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
