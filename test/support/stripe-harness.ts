import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../../src/connectors/stripe/stripe-api-version.js';
import type { StripeSimulator } from '../../src/connectors/stripe/simulator/stripe-simulator.js';

/** The official client pointed at a simulator, as the gateway builds it. */
export function stripeClientFor(sim: StripeSimulator, options: { key?: string; maxNetworkRetries?: number } = {}) {
  return new Stripe(options.key ?? sim.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    host: '127.0.0.1',
    port: sim.port,
    protocol: 'http',
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: 5_000,
    telemetry: false,
  });
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The raw bytes as they arrived. */
  body: Buffer;
}

/**
 * A local endpoint that records every webhook it receives and answers `status()` (200 unless a
 * test says otherwise), to watch what a sender really put on the wire.
 */
export async function startWebhookReceiver(status: (n: number) => number = () => 200) {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(status(received.length)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    /** The events received, parsed, in arrival order. */
    events: () => received.map((r) => JSON.parse(r.body.toString('utf8')) as { id: string; type: string }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
