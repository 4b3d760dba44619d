import { parseArgs } from 'node:util';
import { startOrderTrickle } from './order-trickle.js';
import { ShopifySimulator, SIM_API_VERSION } from './shopify-simulator.js';
import { STARTER_LOCATIONS as LOCATIONS, STARTER_STOCK } from './starter-catalogue.js';

/**
 * `switchyard simulate shopify [--port N] [--secret S] [--token T] [--seed N] [--webhook-url U]
 * [--order-every-ms N]`: runs the Shopify simulator alone for integrators and prints how to
 * connect a channel to it; optionally sends its webhooks to U and places an order every ~N ms.
 * Runs until SIGINT or SIGTERM.
 */
export async function simulateShopify(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      secret: { type: 'string' },
      token: { type: 'string' },
      seed: { type: 'string' },
      'webhook-url': { type: 'string' },
      'order-every-ms': { type: 'string' },
    },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write('simulate shopify: --port must be a port number\n');
    return 64;
  }
  const sim = new ShopifySimulator({
    port,
    webhookSecret: values.secret,
    accessToken: values.token,
    seed: values.seed === undefined ? undefined : Number(values.seed),
  });
  for (const item of STARTER_STOCK) {
    item.available.forEach((n, i) => sim.setStock(item.sku, LOCATIONS[i]!, n));
  }
  const url = await sim.start();
  if (values['webhook-url']) sim.subscribeWebhooks(values['webhook-url']);
  const everyMs = Number(values['order-every-ms'] ?? 0);
  const stopTrickle =
    everyMs > 0 ? startOrderTrickle(sim, { catalogue: STARTER_STOCK, everyMs, seed: sim.state.nextId() }) : () => {};
  out.write(
    [
      '',
      `  Shopify simulator (Admin API ${SIM_API_VERSION}) is listening on ${url}`,
      `    GraphQL:        POST ${url}/admin/api/${SIM_API_VERSION}/graphql.json`,
      `    shop domain:    ${sim.shopDomain}`,
      `    access token:   ${sim.accessToken}`,
      `    webhook secret: ${sim.webhookSecret}`,
      `    control:        GET ${url}/_sim/calls, GET ${url}/_sim/inventory, POST ${url}/_sim/orders,`,
      `                    POST ${url}/_sim/stock {sku, locationId, available}, POST ${url}/_sim/webhooks {url}`,
      `    locations:      ${LOCATIONS.join(', ')}`,
      '',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  stopTrickle();
  await sim.stop();
  return 0;
}
