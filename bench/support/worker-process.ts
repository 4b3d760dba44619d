import { randomBytes } from 'node:crypto';
import { freePort } from '../../src/platform/local-redis.js';
import { startChildServer, type ChildServer } from './child-server.js';

export interface WorkerProcess extends ChildServer {
  /** The non-secret environment the worker ran with, for the report. */
  settings: Record<string, string>;
}

/**
 * `switchyard worker` as deployed beside `switchyard api` processes: the job workers and the
 * outbox relay (the only role besides `all` that publishes committed events to Redis). Same
 * environment as `startHubProcess`: NODE_ENV=production, LOG_LEVEL=warn, every other setting at
 * its default. It serves /readyz on its own port, which is how we know it is up.
 */
export async function startWorkerProcess(services: { databaseUrl: string; redisUrl: string }): Promise<WorkerProcess> {
  const port = await freePort();
  const settings = { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' };
  const server = await startChildServer({
    name: 'switchyard worker',
    script: new URL('../../src/main.js', import.meta.url),
    args: ['worker'],
    env: {
      PATH: process.env.PATH,
      ...settings,
      DATABASE_URL: services.databaseUrl,
      REDIS_URL: services.redisUrl,
      // Never used by the worker's jobs here, but without one production would write a key under DATA_DIR.
      SWITCHYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    },
    port,
    isReady: async (baseUrl) => (await fetch(`${baseUrl}/readyz`)).status === 200,
  });
  return { ...server, settings };
}
