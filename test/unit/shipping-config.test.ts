import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('shipping configuration', () => {
  it('is off without a key, and points the client at EASYPOST_API_BASE (ending in a slash) with one', () => {
    expect(loadConfig({}).shipping).toEqual({ easypost: null, easypostWebhookSecret: null });
    expect(
      loadConfig({
        EASYPOST_API_KEY: 'EZTK123',
        EASYPOST_API_BASE: 'http://127.0.0.1:9/v2',
        EASYPOST_WEBHOOK_SECRET: 'sécret',
      }).shipping,
    ).toEqual({
      easypost: { apiKey: 'EZTK123', baseUrl: 'http://127.0.0.1:9/v2/', timeoutMs: 15_000 },
      easypostWebhookSecret: 'sécret',
    });
    expect(loadConfig({ EASYPOST_API_KEY: 'EZAK1' }).shipping.easypost!.baseUrl).toBe('https://api.easypost.com/v2/');
  });

  it('refuses a base that is not a URL, and plain http in production, naming the variable', () => {
    expect(() => loadConfig({ EASYPOST_API_BASE: 'api.easypost.com' })).toThrow(/EASYPOST_API_BASE: must be an http/);
    const production = {
      NODE_ENV: 'production',
      SWITCHYARD_ENCRYPTION_KEY: 'a'.repeat(64),
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/sy',
      REDIS_URL: 'redis://127.0.0.1:6379',
      EASYPOST_API_KEY: 'EZAK1',
      EASYPOST_API_BASE: 'http://proxy.internal/v2/',
    };
    let error: unknown;
    try {
      loadConfig(production);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'EASYPOST_API_BASE: must be an https:// URL when NODE_ENV=production (the API key travels with every call)',
    ]);
    expect((error as Error).message).not.toContain('EZAK1');
  });
});
