import { parseArgs } from 'node:util';
import { STRIPE_API_VERSION } from '../stripe-api-version.js';
import { SIM_SECRET_KEY, SIM_WEBHOOK_SECRET, StripeSimulator } from './stripe-simulator.js';
import { TEST_PAYMENT_METHODS } from './test-payment-methods.js';

/**
 * `switchyard simulate stripe [--port N] [--secret-key sk_test_…] [--webhook-secret whsec_…]
 * [--webhook-url U] [--seed N] [--ambiguous P]`: runs the Stripe simulator alone, prints the
 * settings that point a hub at it, and optionally sends its signed events to U (the hub's
 * `/webhooks/stripe`). `--ambiguous P` drops the answer of that share of captures and refunds
 * after committing them. Runs until SIGINT or SIGTERM.
 */
export async function simulateStripe(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'secret-key': { type: 'string' },
      'webhook-secret': { type: 'string' },
      'webhook-url': { type: 'string' },
      seed: { type: 'string' },
      ambiguous: { type: 'string' },
    },
    strict: true,
  });
  const fail = (message: string) => {
    process.stderr.write(`simulate stripe: ${message}\n`);
    return 64;
  };
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) return fail('--port must be a port number');
  const secretKey = values['secret-key'] ?? SIM_SECRET_KEY;
  if (!/^sk_test_[A-Za-z0-9_]+$/.test(secretKey)) return fail('--secret-key must be a test key (sk_test_…)');
  const webhookSecret = values['webhook-secret'] ?? SIM_WEBHOOK_SECRET;
  if (!/^whsec_[A-Za-z0-9_]+$/.test(webhookSecret)) return fail('--webhook-secret must look like whsec_…');
  const ambiguous = Number(values.ambiguous ?? 0);
  if (!(ambiguous >= 0 && ambiguous <= 1)) return fail('--ambiguous must be a share from 0 to 1');
  const webhookUrl = values['webhook-url'];
  if (webhookUrl !== undefined && !/^https?:\/\//.test(webhookUrl)) return fail('--webhook-url must be an http(s) URL');

  const sim = new StripeSimulator({
    port,
    secretKey,
    webhookSecret,
    seed: values.seed === undefined ? undefined : Number(values.seed),
    faults: { ambiguous },
  });
  const url = await sim.start();
  if (webhookUrl) sim.addWebhookEndpoint(webhookUrl);
  out.write(
    [
      '',
      `  Stripe simulator (API ${STRIPE_API_VERSION}) is listening on ${url}`,
      '    point a hub at it:',
      `      STRIPE_API_BASE=${url}`,
      `      STRIPE_SECRET_KEY=${secretKey}`,
      `      STRIPE_WEBHOOK_SECRET=${webhookSecret}`,
      `    webhooks:       ${webhookUrl ? `sent to ${webhookUrl}` : 'none (--webhook-url, or POST /__sim/webhook_endpoints {url})'}`,
      `    test cards:     ${Object.keys(TEST_PAYMENT_METHODS).join(', ')}`,
      `    control:        GET ${url}/__sim/requests, GET ${url}/__sim/effects, GET ${url}/__sim/deliveries,`,
      `                    POST ${url}/__sim/payment_intents/<id>/confirm {outcome: succeed|fail} (3-D Secure),`,
      `                    POST ${url}/__sim/payment_intents/<id>/dispute, …/early_fraud_warning,`,
      `                    POST ${url}/__sim/refunds/<id>/fail, POST ${url}/__sim/clock {advance_seconds},`,
      `                    POST ${url}/__sim/faults {serverError, tooManyRequests, timeout, ambiguous}`,
      '',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await sim.stop();
  return 0;
}
