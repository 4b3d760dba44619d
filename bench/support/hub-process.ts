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
 * V8 heap sizing as the Dockerfile and `npm start` set it: 16 MB young-generation semi-spaces
 * instead of Node's 32 MB on a large machine, and a 1.5 GB old-generation limit, far above the
 * api's live heap, that keeps V8 from letting the old generation grow to 4× the live size
 * between full collections (see docs/OPERATIONS.md, Memory).
 */
export const PRODUCTION_NODE_OPTIONS = '--max-semi-space-size=16 --max-old-space-size=1536';

export interface ServiceUrls {
  databaseUrl: string;
  redisUrl: string;
  /** SWITCHYARD_ENCRYPTION_KEY, when processes must share one (an api and a worker reading channel credentials); else a random one. */
  encryptionKey?: string;
}

/**
 * The environment a benchmarked switchyard process runs with: NODE_ENV=production, logging at
 * warn (per-request info logs would be measured too), production's heap settings
 * (BENCH_HUB_NODE_OPTIONS overrides them), every other setting at its default. Not the
 * caller's environment: a stray AUTH_CACHE_TTL_MS or DB_POOL_MAX would change what is measured.
 * `extraEnv` is what the benchmark itself sets (a simulator's endpoint and test keys).
 */
export function benchProcessEnv(services: ServiceUrls, port: number, extraEnv: Record<string, string> = {}) {
  const settings = { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' };
  const env = {
    PATH: process.env.PATH,
    NODE_OPTIONS: process.env.BENCH_HUB_NODE_OPTIONS ?? PRODUCTION_NODE_OPTIONS,
    ...settings,
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    // Production would otherwise write a key under DATA_DIR.
    SWITCHYARD_ENCRYPTION_KEY: services.encryptionKey ?? randomBytes(32).toString('base64'),
    // A benchmark's own settings (a simulator's endpoint and test keys); never the caller's environment.
    ...extraEnv,
  };
  return { settings, env };
}

/**
 * `switchyard api` as deployed (benchProcessEnv), with an admin key for setup calls. In
 * production, introspection and field suggestions are off and nothing is written under DATA_DIR.
 */
export async function startHubProcess(
  services: ServiceUrls,
  extraEnv: Record<string, string> = {},
): Promise<HubProcess> {
  const port = await freePort();
  const adminKey = randomBytes(32).toString('hex');
  const { settings, env } = benchProcessEnv(services, port, extraEnv);
  const server = await startChildServer({
    name: 'switchyard api',
    script: new URL('../../src/main.js', import.meta.url),
    args: ['api'],
    env: { ...env, SWITCHYARD_ADMIN_KEY: adminKey },
    port,
    isReady: async (baseUrl) => (await fetch(`${baseUrl}/readyz`)).status === 200,
  });
  return { ...server, graphqlUrl: `${server.baseUrl}/graphql`, adminKey, settings };
}
