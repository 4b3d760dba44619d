import { freePort } from '../../src/platform/local-redis.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { benchProcessEnv, type ServiceUrls } from './hub-process.js';

export interface WorkerProcess extends ChildServer {
  /** The non-secret environment the worker ran with, for the report. */
  settings: Record<string, string>;
}

/**
 * `switchyard worker` as deployed beside `switchyard api` processes: the job workers and the
 * outbox relay (the only role besides `all` that publishes committed events to Redis), in the
 * same environment as the api (benchProcessEnv). It serves /readyz on its own port, which is
 * how we know it is up.
 */
export async function startWorkerProcess(
  services: ServiceUrls,
  extraEnv: Record<string, string> = {},
): Promise<WorkerProcess> {
  const port = await freePort();
  const { settings, env } = benchProcessEnv(services, port, extraEnv);
  const server = await startChildServer({
    name: 'switchyard worker',
    script: new URL('../../src/main.js', import.meta.url),
    args: ['worker'],
    env,
    port,
    isReady: async (baseUrl) => (await fetch(`${baseUrl}/readyz`)).status === 200,
  });
  return { ...server, settings };
}
