import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startLocalRedis } from '../../src/platform/local-redis.js';
import { startPostgres } from './postgres-server.js';

export interface TestServices {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

/**
 * Real PostgreSQL and Redis for a test run or benchmark: the ones named by TEST_DATABASE_URL /
 * TEST_REDIS_URL, else fresh servers on free loopback ports, stopped again by `stop()`.
 */
export async function startTestServices(): Promise<TestServices> {
  const stops: (() => Promise<void>)[] = [];
  let databaseUrl = process.env.TEST_DATABASE_URL;
  let redisUrl = process.env.TEST_REDIS_URL;
  if (!databaseUrl) {
    const pg = await startPostgres();
    stops.push(() => pg.stop());
    databaseUrl = pg.url;
  }
  if (!redisUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-redis-'));
    const redis = await startLocalRedis(dir, pino({ level: 'warn' }));
    stops.push(async () => {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    redisUrl = redis.url;
  }
  return {
    databaseUrl,
    redisUrl,
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
