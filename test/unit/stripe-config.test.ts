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

const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/sy',
  REDIS_URL: 'redis://127.0.0.1:6379',
  SWITCHYARD_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
};

describe('Stripe configuration', () => {
  it('is off unless set: no key, no webhook secret, the real API', () => {
    expect(loadConfig({}).stripe).toEqual({ secretKey: undefined, webhookSecret: undefined, apiBase: undefined });
  });

  it('reads the secret key, the webhook secret and the simulator origin', () => {
    const config = loadConfig({
      STRIPE_SECRET_KEY: 'sk_test_51Abc',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc123',
      STRIPE_API_BASE: 'http://127.0.0.1:12111/',
    });
    expect(config.stripe).toEqual({
      secretKey: 'sk_test_51Abc',
      webhookSecret: 'whsec_abc123',
      apiBase: 'http://127.0.0.1:12111',
    });
    expect(loadConfig({ STRIPE_SECRET_KEY: 'rk_live_restricted' }).stripe.secretKey).toBe('rk_live_restricted');
  });

  it('names each bad Stripe variable without repeating its value', () => {
    const problems = problemsOf({
      STRIPE_SECRET_KEY: 'pk_test_publishableMARKER',
      STRIPE_WEBHOOK_SECRET: 'secretMARKER',
      STRIPE_API_BASE: 'http://127.0.0.1:12111/v1',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'STRIPE_API_BASE',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
    ]);
    expect(problems.join('\n')).not.toContain('MARKER');
    expect(problems.find((p) => p.startsWith('STRIPE_SECRET_KEY'))).toMatch(/sk_test_/);
  });

  it('refuses an http API base in production: the simulator never stands in for Stripe there', () => {
    expect(problemsOf({ ...PRODUCTION, STRIPE_API_BASE: 'http://127.0.0.1:12111' })).toEqual([
      'STRIPE_API_BASE: must be https:// when NODE_ENV=production (http is for the local simulator)',
    ]);
    expect(loadConfig({ ...PRODUCTION, STRIPE_API_BASE: 'https://stripe-proxy.internal' }).stripe.apiBase).toBe(
      'https://stripe-proxy.internal',
    );
  });
});
