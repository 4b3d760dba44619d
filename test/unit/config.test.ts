import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.js';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('runs with no variables at all: port 4000, embedded PGlite under .data, a local Redis', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(4000);
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '.data/pglite' });
    expect(config.redisUrl).toBeUndefined();
    expect(config.autoMigrate).toBe(true);
    expect(config.graphql.introspection).toBe(true);
  });

  it('runs the Shopify sandbox by default in development only; never in production', () => {
    const prod = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/sy',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SWITCHYARD_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    };
    const cases: [NodeJS.ProcessEnv, boolean][] = [
      [{}, true],
      [{ NODE_ENV: 'development' }, true],
      [{ NODE_ENV: 'development', SANDBOX_SHOPIFY: 'off' }, false],
      [{ NODE_ENV: 'development', SANDBOX_SHOPIFY: 'false' }, false],
      [{ NODE_ENV: 'test' }, false],
      [{ NODE_ENV: 'test', SANDBOX_SHOPIFY: 'on' }, true],
      [prod, false],
      [{ ...prod, SANDBOX_SHOPIFY: 'off' }, false],
    ];
    for (const [env, on] of cases) expect(loadConfig(env).sandbox.shopify).toBe(on);
    expect(problemsOf({ ...prod, SANDBOX_SHOPIFY: 'on' })).toEqual([
      'SANDBOX_SHOPIFY: the simulated Shopify store never runs when NODE_ENV=production (unset it)',
    ]);
    expect(loadConfig({}).sandbox).toEqual({ shopify: true, orderEveryMs: 5000, shipAfterMs: 3000 });
    expect(problemsOf({ SANDBOX_ORDER_EVERY_MS: '0' })[0]).toMatch(/^SANDBOX_ORDER_EVERY_MS: /);
    process.stdout.write(`sandbox config: ${cases.length} environments checked, production refuses it\n`);
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/sy', DB_POOL_MAX: '7' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u:p@127.0.0.1:5432/sy', poolMax: 7 });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).http.port).toBe(4000);
  });

  it('names every bad variable and what is allowed, all at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      REDIS_URL: 'http://nope',
      LOG_LEVEL: 'loud',
      NODE_ENV: 'staging',
      SWITCHYARD_ADMIN_KEY: 'short',
      SWITCHYARD_ENCRYPTION_KEY: 'not-a-key',
      AUTO_MIGRATE: 'maybe',
    });
    const joined = problems.join('\n');
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'REDIS_URL',
      'LOG_LEVEL',
      'NODE_ENV',
      'SWITCHYARD_ADMIN_KEY',
      'SWITCHYARD_ENCRYPTION_KEY',
      'AUTO_MIGRATE',
    ]) {
      expect(joined).toContain(`${name}:`);
    }
    expect(joined).toContain('postgres://');
    expect(joined).toContain('development, test, production');
    expect(problems).toHaveLength(8);
  });

  it('rejects a port out of range', () => {
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT: must be a whole number from 0 to 65535']);
  });

  it('demands an encryption key, a database and a Redis in production, and turns introspection and auto-migrate off', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'DATABASE_URL',
      'REDIS_URL',
      'SWITCHYARD_ENCRYPTION_KEY',
    ]);
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://h/db',
      REDIS_URL: 'redis://h:6379',
      SWITCHYARD_ENCRYPTION_KEY: 'a'.repeat(64),
    });
    expect(config.graphql.introspection).toBe(false);
    expect(config.autoMigrate).toBe(false);
    expect(config.encryptionKey).toHaveLength(32);
  });

  it('holds orders whose billing country differs from the shipping country unless ORDER_HOLD_ON_ADDRESS_MISMATCH says otherwise', () => {
    expect(loadConfig({}).orders.holdOnAddressMismatch).toBe('country');
    for (const mode of ['off', 'country', 'postal'] as const) {
      expect(loadConfig({ ORDER_HOLD_ON_ADDRESS_MISMATCH: mode }).orders).toEqual({
        holdTotalAbove: null,
        holdOnAddressMismatch: mode,
      });
    }
    expect(loadConfig({ ORDER_HOLD_ON_ADDRESS_MISMATCH: '' }).orders.holdOnAddressMismatch).toBe('country');
  });

  it.each(['zip', 'POSTAL', 'true'])(
    'refuses ORDER_HOLD_ON_ADDRESS_MISMATCH=%s, naming the allowed values',
    (value) => {
      expect(problemsOf({ ORDER_HOLD_ON_ADDRESS_MISMATCH: value })).toEqual([
        'ORDER_HOLD_ON_ADDRESS_MISMATCH: must be one of off, country, postal',
      ]);
    },
  );

  it('reaches SQS for Amazon notifications with both keys or neither, an https endpoint in production, a wait of at most 20 s', () => {
    expect(loadConfig({}).amazonSqs).toEqual({
      region: 'us-east-1',
      endpoint: null,
      accessKeyId: null,
      secretAccessKey: null,
      waitSeconds: 20,
      visibilitySeconds: 60,
      timeoutMs: 10_000,
      retryAfterSeconds: 300,
    });
    expect(
      loadConfig({
        AMAZON_SQS_ENDPOINT: 'http://127.0.0.1:9324/',
        AMAZON_SQS_ACCESS_KEY_ID: 'AKIA',
        AMAZON_SQS_SECRET_ACCESS_KEY: 's',
      }).amazonSqs,
    ).toMatchObject({ endpoint: 'http://127.0.0.1:9324', accessKeyId: 'AKIA', secretAccessKey: 's' });
    expect(problemsOf({ AMAZON_SQS_ACCESS_KEY_ID: 'AKIA' }).join()).toContain('set both or neither');
    expect(problemsOf({ AMAZON_SQS_WAIT_SECONDS: '21' }).join()).toContain('AMAZON_SQS_WAIT_SECONDS');
    expect(problemsOf({ AMAZON_SQS_REGION: 'mars' }).join()).toContain('AMAZON_SQS_REGION');
    expect(
      problemsOf({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/sy',
        REDIS_URL: 'redis://127.0.0.1:6379',
        SWITCHYARD_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
        AMAZON_SQS_ENDPOINT: 'http://sqs.local',
      }),
    ).toEqual([expect.stringContaining('AMAZON_SQS_ENDPOINT: must be an https:// URL')]);
  });

  it('accepts the encryption key as base64 as well as hex', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ SWITCHYARD_ENCRYPTION_KEY: key }).encryptionKey).toEqual(Buffer.alloc(32, 7));
  });
});
