import { randomBytes } from 'node:crypto';
import { freePort } from '../../src/platform/local-redis.js';
import { startChildServer, type ChildServer } from './child-server.js';

export interface HubProcess extends ChildServer {
  graphqlUrl: string;
  /** SWITCHYARD_ADMIN_KEY of this run, for setup calls only. */
  adminKey: string;
  /** The non-secret environment the hub ran with, for the report. */
  settings: Record<string, string>;
}

/**
 * `switchyard api` as deployed: NODE_ENV=production (so introspection and field suggestions
 * are off and nothing is written under DATA_DIR), logging at warn because per-request info
 * logs would be measured too, every other setting at its default.
 */
/**
 * V8 heap sizing as the Dockerfile and `npm start` set it: 16 MB young-generation semi-spaces
 * instead of Node's 32 MB on a large machine, and a 1.5 GB old-generation limit, far above the
 * api's live heap, that keeps V8 from letting the old generation grow to 4× the live size
 * between full collections (see docs/OPERATIONS.md, Memory).
 */
export const PRODUCTION_NODE_OPTIONS = '--max-semi-space-size=16 --max-old-space-size=1536';

export async function startHubProcess(services: { databaseUrl: string; redisUrl: string }): Promise<HubProcess> {
  const port = await freePort();
  const adminKey = randomBytes(32).toString('hex');
  const settings = { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' };
  const server = await startChildServer({
    name: 'switchyard api',
    script: new URL('../../src/main.js', import.meta.url),
    args: ['api'],
    // Not the caller's environment: a stray AUTH_CACHE_TTL_MS or DB_POOL_MAX would change what is measured.
    env: {
      PATH: process.env.PATH,
      // The heap settings production runs with (Dockerfile, npm start); BENCH_HUB_NODE_OPTIONS overrides them.
      NODE_OPTIONS: process.env.BENCH_HUB_NODE_OPTIONS ?? PRODUCTION_NODE_OPTIONS,
      ...settings,
      DATABASE_URL: services.databaseUrl,
      REDIS_URL: services.redisUrl,
      SWITCHYARD_ADMIN_KEY: adminKey,
      SWITCHYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    },
    port,
    isReady: async (baseUrl) => (await fetch(`${baseUrl}/readyz`)).status === 200,
  });
  return { ...server, graphqlUrl: `${server.baseUrl}/graphql`, adminKey, settings };
}
