import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { EasyPostSimulator } from './easypost-simulator.js';

/**
 * `switchyard simulate easypost [--port N] [--key K] [--secret S] [--webhook-url U] [--seed N]`:
 * runs the EasyPost simulator alone (for trying labels and tracking without an account) and
 * prints the settings that point a hub at it. Runs until SIGINT or SIGTERM.
 */
export async function simulateEasyPost(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      key: { type: 'string' },
      secret: { type: 'string' },
      'webhook-url': { type: 'string' },
      seed: { type: 'string' },
    },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write('simulate easypost: --port must be a port number\n');
    return 64;
  }
  const apiKey = values.key ?? `EZTK${randomBytes(16).toString('hex')}`;
  const secret = values.secret ?? randomBytes(16).toString('hex');
  const sim = await EasyPostSimulator.start({
    apiKey,
    port,
    seed: values.seed === undefined ? undefined : Number(values.seed),
    webhook: values['webhook-url'] ? { url: values['webhook-url'], secret } : null,
  });
  out.write(
    [
      '',
      `  EasyPost simulator (API v2) is listening on ${sim.url}`,
      '  Point a hub at it:',
      `    EASYPOST_API_KEY=${apiKey}`,
      `    EASYPOST_API_BASE=${sim.baseUrl}`,
      `    EASYPOST_WEBHOOK_SECRET=${secret}`,
      `  Webhooks:  ${values['webhook-url'] ?? 'none (start with --webhook-url http://127.0.0.1:4000/webhooks/easypost)'}`,
      `  Control:   GET ${sim.url}/__sim/requests, GET ${sim.url}/__sim/purchases, POST ${sim.url}/__sim/faults,`,
      `             POST ${sim.url}/__sim/webhook {url, secret}, POST ${sim.url}/__sim/trackers/<trk_id>/advance {steps, order, duplicate}`,
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
