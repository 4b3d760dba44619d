import { z } from 'zod';
import { ADDRESS_MISMATCH_POLICIES, type AddressMismatchPolicy } from './address-mismatch-policies.js';

/** Every setting Switchyard reads from its environment, validated once at start-up. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
    error: 'must be one of true, false, 1, 0, yes, no, on, off',
  })
  .transform((v) => v === 'true' || v === '1' || v === 'yes' || v === 'on');

const postgresUrl = z.string().refine((v) => /^postgres(ql)?:\/\/.+/.test(v) && URL.canParse(v), {
  message: 'must be a postgres:// or postgresql:// URL, e.g. postgres://user:pass@127.0.0.1:5432/switchyard',
});

const redisUrl = z.string().refine((v) => /^rediss?:\/\/.+/.test(v) && URL.canParse(v), {
  message: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
});

/** 32 random bytes, given as 64 hex characters or as base64 (44 characters). */
const encryptionKey = z.string().refine((v) => decodeKey(v) !== undefined, {
  message: 'must be 32 random bytes as 64 hex characters or base64 (generate one with: openssl rand -base64 32)',
});

export function decodeKey(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(value)) return Buffer.from(value, 'base64');
  return undefined;
}

const port = z.coerce
  .number({ error: 'must be a whole number from 0 to 65535' })
  .int('must be a whole number from 0 to 65535')
  .min(0, 'must be a whole number from 0 to 65535')
  .max(65535, 'must be a whole number from 0 to 65535');

const smtpUrl = z.string().refine((v) => /^smtps?:\/\/.+/.test(v) && URL.canParse(v), {
  error: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587',
});

const stripeSecretKey = z.string().refine((v) => /^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/.test(v), {
  error: 'must be a Stripe secret key (sk_test_…, sk_live_…) or a restricted key (rk_…); never a publishable pk_ key',
});

const stripeWebhookSecret = z.string().refine((v) => /^whsec_[A-Za-z0-9_]+$/.test(v), {
  error: "must be a Stripe webhook endpoint's signing secret (whsec_…)",
});

const stripeApiBase = z.string().refine((v) => URL.canParse(v) && /^https?:\/\/[^/?#]+\/?$/.test(v), {
  error: 'must be an http(s) origin without a path, e.g. http://127.0.0.1:12111 (the Stripe simulator)',
});

const httpUrl = z.string().refine((v) => /^https?:\/\/.+/.test(v) && URL.canParse(v), {
  error: 'must be an http:// or https:// URL, e.g. https://api.easypost.com/v2/',
});

/** Where the platforms reach this hub: an http(s) origin, optionally with a path prefix, no query. */
const publicUrl = z
  .string()
  .transform((v) => v.trim().replace(/\/+$/, ''))
  .refine((v) => /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(v) && URL.canParse(v), {
    error:
      'must be the http(s) URL the platforms reach this hub at, without a query, e.g. https://hub.example.com (webhooks go to <PUBLIC_URL>/webhooks/<channelId>)',
  });

const positiveInt = (max: number) =>
  z.coerce
    .number({ error: `must be a whole number from 1 to ${max}` })
    .int(`must be a whole number from 1 to ${max}`)
    .min(1, `must be a whole number from 1 to ${max}`)
    .max(max, `must be a whole number from 1 to ${max}`);

const envSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'], { error: 'must be one of development, test, production' })
    .default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(4000),
  PUBLIC_URL: publicUrl.optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  DB_POOL_MAX: positiveInt(200).default(10),
  REDIS_URL: redisUrl.optional(),
  REDIS_CONNECT_TIMEOUT_MS: positiveInt(600_000).default(15_000),
  QUEUE_PREFIX: z.string().min(1).default('{switchyard}'),
  SWITCHYARD_ADMIN_KEY: z
    .string()
    .min(32, 'must be at least 32 characters (generate one with: openssl rand -hex 32)')
    .optional(),
  SWITCHYARD_ENCRYPTION_KEY: encryptionKey.optional(),
  AUTO_MIGRATE: booleanFlag.optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  GRAPHQL_MAX_DEPTH: positiveInt(100).default(12),
  GRAPHQL_MAX_COST: positiveInt(1_000_000).default(1000),
  GRAPHQL_MAX_ALIASES: positiveInt(1000).default(15),
  MAX_SUBSCRIPTIONS_PER_SOCKET: positiveInt(10_000).default(100),
  MAX_SUBSCRIPTIONS_PER_KEY: positiveInt(1_000_000).default(500),
  HTTP_BODY_LIMIT_BYTES: positiveInt(100 * 1024 * 1024).default(1024 * 1024),
  SHUTDOWN_TIMEOUT_MS: positiveInt(600_000).default(25_000),
  SHUTDOWN_DELAY_MS: z.coerce
    .number({ error: 'must be a whole number of milliseconds from 0 to 60000' })
    .int('must be a whole number of milliseconds from 0 to 60000')
    .min(0, 'must be a whole number of milliseconds from 0 to 60000')
    .max(60_000, 'must be a whole number of milliseconds from 0 to 60000')
    .default(0),
  AUTH_CACHE_TTL_MS: positiveInt(3_600_000).default(30_000),
  JOB_LOCK_MS: positiveInt(3_600_000).default(30_000),
  WEBHOOK_RETENTION_DAYS: positiveInt(3650).default(30),
  CHANNEL_PULL_EVERY_MS: positiveInt(86_400_000).default(5 * 60_000),
  CHANNEL_RECONCILE_EVERY_MS: positiveInt(86_400_000).default(15 * 60_000),
  CHANNEL_PULL_PAGE_SIZE: positiveInt(250).default(250),
  CHANNEL_STOCK_PUSH_INTERVAL_MS: positiveInt(3_600_000).default(1_000),
  ORDER_HOLD_TOTAL_ABOVE: z.coerce
    .number({ error: 'must be a whole, non-negative amount in minor units (e.g. cents)' })
    .int('must be a whole, non-negative amount in minor units (e.g. cents)')
    .min(0, 'must be a whole, non-negative amount in minor units (e.g. cents)')
    .max(Number.MAX_SAFE_INTEGER, 'must be a whole, non-negative amount in minor units (e.g. cents)')
    .optional(),
  SANDBOX_SHOPIFY: booleanFlag.optional(),
  SANDBOX_ORDER_EVERY_MS: positiveInt(3_600_000).default(5_000),
  SANDBOX_SHIP_AFTER_MS: z.coerce
    .number({ error: 'must be a whole number of milliseconds from 0 to 3600000' })
    .int('must be a whole number of milliseconds from 0 to 3600000')
    .min(0, 'must be a whole number of milliseconds from 0 to 3600000')
    .max(3_600_000, 'must be a whole number of milliseconds from 0 to 3600000')
    .default(3_000),
  ORDER_HOLD_ON_ADDRESS_MISMATCH: z
    .enum(ADDRESS_MISMATCH_POLICIES, { error: `must be one of ${ADDRESS_MISMATCH_POLICIES.join(', ')}` })
    .default('country'),
  SMTP_URL: smtpUrl.optional(),
  NOTIFY_FROM: z
    .string()
    .max(320)
    .refine((v) => /^[^\r\n]*<?[^\s@<>]+@[^\s@<>]+>?$/.test(v), {
      error: 'must be an address, optionally with a name: "Shop <orders@shop.example>"',
    })
    .optional(),
  NOTIFY_STORE_NAME: z.string().min(1).max(200).default('Our shop'),
  NOTIFY_TEMPLATES_DIR: z.string().min(1).optional(),
  NOTIFY_DELAYED_AFTER_HOURS: positiveInt(24 * 90).default(48),
  PAYMENT_CAPTURE_MARGIN_HOURS: positiveInt(24 * 6).default(24),
  PAYMENT_SCAN_EVERY_MS: positiveInt(86_400_000).default(3_600_000),
  STRIPE_SECRET_KEY: stripeSecretKey.optional(),
  STRIPE_WEBHOOK_SECRET: stripeWebhookSecret.optional(),
  STRIPE_API_BASE: stripeApiBase.optional(),
  EASYPOST_API_KEY: z.string().min(1).max(200).optional(),
  EASYPOST_WEBHOOK_SECRET: z.string().min(1).max(200).optional(),
  EASYPOST_API_BASE: httpUrl.optional(),
  EASYPOST_TIMEOUT_MS: positiveInt(120_000).default(15_000),
  AMAZON_SQS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region, e.g. us-east-1')
    .default('us-east-1'),
  AMAZON_SQS_ENDPOINT: httpUrl.optional(),
  AMAZON_SQS_ACCESS_KEY_ID: z.string().min(1).max(128).optional(),
  AMAZON_SQS_SECRET_ACCESS_KEY: z.string().min(1).max(256).optional(),
  AMAZON_SQS_WAIT_SECONDS: z.coerce
    .number({ error: 'must be a whole number of seconds from 0 to 20' })
    .int('must be a whole number of seconds from 0 to 20')
    .min(0, 'must be a whole number of seconds from 0 to 20')
    .max(20, 'must be a whole number of seconds from 0 to 20')
    .default(20),
  AMAZON_SQS_VISIBILITY_TIMEOUT_SECONDS: positiveInt(43_200).default(60),
  AMAZON_SQS_RETRY_AFTER_SECONDS: positiveInt(43_200).default(300),
  AMAZON_SQS_TIMEOUT_MS: positiveInt(120_000).default(10_000),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  nodeEnv: Env['NODE_ENV'];
  isProduction: boolean;
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    /**
     * PUBLIC_URL without a trailing slash: where platforms send webhooks (`<publicUrl>/webhooks/<id>`).
     * Null when unset: then `http://<HOST>:<port the server bound>` (publicUrlOf).
     */
    publicUrl: string | null;
  };
  /** `postgres` when DATABASE_URL is set, else the embedded PGlite database under DATA_DIR. */
  database: { kind: 'postgres'; url: string; poolMax: number } | { kind: 'pglite'; dataDir: string };
  dataDir: string;
  /** `undefined` means: start a local redis-server under DATA_DIR. */
  redisUrl: string | undefined;
  /** How long start-up waits for Redis before giving up with a clear error. */
  redisConnectTimeoutMs: number;
  queuePrefix: string;
  adminKey: string | undefined;
  /** `undefined` only outside production: the embedded default then keeps one under DATA_DIR. */
  encryptionKey: Buffer | undefined;
  autoMigrate: boolean;
  logLevel: Env['LOG_LEVEL'];
  graphql: {
    maxDepth: number;
    maxCost: number;
    maxAliases: number;
    introspection: boolean;
    /** Open subscriptions one WebSocket, and one API key across this process's sockets, may hold. */
    maxSubscriptionsPerSocket: number;
    maxSubscriptionsPerKey: number;
  };
  shutdownTimeoutMs: number;
  /** How long readiness reports false before the listener closes (for load balancers). */
  shutdownDelayMs: number;
  authCacheTtlMs: number;
  /** How long a worker's lock on a job lasts; a job whose worker died is rerun about this long after. */
  jobLockMs: number;
  /** Processed and ignored webhook deliveries older than this many days are pruned (failed ones stay). */
  webhooks: { retentionDays: number };
  /**
   * Channel jobs: the periodic pull and reconciliation per channel, and the time slice stock
   * changes of one channel are coalesced over (at most one stock push job per slice).
   */
  channelJobs: {
    pullEveryMs: number;
    reconcileEveryMs: number;
    stockPushIntervalMs: number;
    /** Orders per page of a pull (Shopify allows up to 250; smaller pages make a backfill many steps). */
    pullPageSize: number;
  };
  /**
   * Order hold rules: orders whose total (minor units) is above `holdTotalAbove` go ON_HOLD (null:
   * never); so do orders whose billing address differs from the shipping address as
   * `holdOnAddressMismatch` says (off, country, postal).
   */
  orders: { holdTotalAbove: number | null; holdOnAddressMismatch: AddressMismatchPolicy };
  /**
   * The development sandbox (`switchyard all` only): a simulated Shopify store connected as the
   * channel `sandbox-shopify`, placing an order about every `orderEveryMs`; its allocated orders
   * are shipped `shipAfterMs` later with a fake tracking number. Never on in production.
   */
  sandbox: { shopify: boolean; orderEveryMs: number; shipAfterMs: number };
  /**
   * Customer emails (docs/NOTIFICATIONS.md): off unless SMTP_URL is set. `templatesDir` holds
   * the merchant's templates, each replacing the built-in one of its name.
   */
  notifications:
    | { enabled: false }
    | {
        enabled: true;
        smtpUrl: string;
        from: string;
        storeName: string;
        templatesDir?: string;
        delayedAfterMs: number;
      };
  /**
   * Card payments (docs/PAYMENTS.md): the scheduled scan runs every `scanEveryMs`; it captures or
   * voids authorisations that lapse within `captureMarginMs`, and re-enqueues steps whose job
   * was lost.
   */
  payments: { captureMarginMs: number; scanEveryMs: number };
  /**
   * Stripe (src/connectors/stripe): with `secretKey` the StripeGateway can take card payments;
   * `webhookSecret` verifies POST /webhooks/stripe; `apiBase` points the client at another API
   * origin (the Stripe simulator, docs/STRIPE-SIMULATOR.md), unset: api.stripe.com. The two
   * secrets are never logged nor put in job data or error messages.
   */
  stripe: { secretKey: string | undefined; webhookSecret: string | undefined; apiBase: string | undefined };
  /**
   * Shipping labels and tracking (docs/SHIPPING.md). `easypost` is null without EASYPOST_API_KEY
   * (no labels can be bought); `easypostWebhookSecret` null answers 404 on POST /webhooks/easypost.
   * `baseUrl` points the client at the simulator or a proxy (EASYPOST_API_BASE).
   */
  shipping: {
    easypost: { apiKey: string; baseUrl: string; timeoutMs: number } | null;
    easypostWebhookSecret: string | null;
  };
  /**
   * Amazon ORDER_CHANGE notifications through SQS (docs/CONNECT-AMAZON.md): how the pollers reach
   * SQS (the queue URL is each Amazon channel's own). `retryAfterSeconds`: how long a message no
   * channel takes now (unknown seller, disabled channel, unreadable) stays hidden before it comes back.
   */
  amazonSqs: {
    region: string;
    /** Endpoint override (a local stand-in); null: AWS (the queue URL's own host). */
    endpoint: string | null;
    /** Both or neither; neither: the AWS SDK's default credential chain. */
    accessKeyId: string | null;
    secretAccessKey: string | null;
    /** Long poll per receive (0–20 s). */
    waitSeconds: number;
    /** How long a received message stays hidden while it is stored. */
    visibilitySeconds: number;
    /** Per SQS call. */
    timeoutMs: number;
    retryAfterSeconds: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable.`,
    );
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  // An empty variable means "not set", as in most .env tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  const problems: string[] = [];
  if (isProduction && !e.SWITCHYARD_ENCRYPTION_KEY) {
    problems.push('SWITCHYARD_ENCRYPTION_KEY: is required when NODE_ENV=production (openssl rand -base64 32)');
  }
  if (isProduction && !e.DATABASE_URL) {
    problems.push('DATABASE_URL: is required when NODE_ENV=production (the embedded PGlite database is for laptops)');
  }
  if (isProduction && !e.REDIS_URL) {
    problems.push('REDIS_URL: is required when NODE_ENV=production (a managed Redis with AOF and noeviction)');
  }
  if (isProduction && e.SANDBOX_SHOPIFY === true) {
    problems.push('SANDBOX_SHOPIFY: the simulated Shopify store never runs when NODE_ENV=production (unset it)');
  }
  if (e.SMTP_URL && !e.NOTIFY_FROM) {
    problems.push('NOTIFY_FROM: is required with SMTP_URL (the From of customer emails: "Shop <orders@shop.example>")');
  }
  if (isProduction && e.STRIPE_API_BASE && !e.STRIPE_API_BASE.startsWith('https://')) {
    problems.push('STRIPE_API_BASE: must be https:// when NODE_ENV=production (http is for the local simulator)');
  }
  if (isProduction && e.EASYPOST_API_BASE && !e.EASYPOST_API_BASE.startsWith('https://')) {
    problems.push(
      'EASYPOST_API_BASE: must be an https:// URL when NODE_ENV=production (the API key travels with every call)',
    );
  }
  if (!e.AMAZON_SQS_ACCESS_KEY_ID !== !e.AMAZON_SQS_SECRET_ACCESS_KEY) {
    problems.push(
      'AMAZON_SQS_ACCESS_KEY_ID, AMAZON_SQS_SECRET_ACCESS_KEY: set both or neither (neither: the AWS default credential chain)',
    );
  }
  if (isProduction && e.AMAZON_SQS_ENDPOINT && !e.AMAZON_SQS_ENDPOINT.startsWith('https://')) {
    problems.push(
      'AMAZON_SQS_ENDPOINT: must be an https:// URL when NODE_ENV=production (http is for the local stand-in)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    nodeEnv: e.NODE_ENV,
    isProduction,
    http: { host: e.HOST, port: e.PORT, bodyLimitBytes: e.HTTP_BODY_LIMIT_BYTES, publicUrl: e.PUBLIC_URL ?? null },
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, poolMax: e.DB_POOL_MAX }
      : { kind: 'pglite', dataDir: `${e.DATA_DIR}/pglite` },
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    redisConnectTimeoutMs: e.REDIS_CONNECT_TIMEOUT_MS,
    queuePrefix: e.QUEUE_PREFIX,
    adminKey: e.SWITCHYARD_ADMIN_KEY,
    encryptionKey: e.SWITCHYARD_ENCRYPTION_KEY ? decodeKey(e.SWITCHYARD_ENCRYPTION_KEY) : undefined,
    // Production applies migrations with `switchyard migrate` (a one-shot job), never on API boot.
    autoMigrate: e.AUTO_MIGRATE ?? !isProduction,
    logLevel: e.LOG_LEVEL,
    graphql: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxCost: e.GRAPHQL_MAX_COST,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      introspection: !isProduction,
      maxSubscriptionsPerSocket: e.MAX_SUBSCRIPTIONS_PER_SOCKET,
      maxSubscriptionsPerKey: e.MAX_SUBSCRIPTIONS_PER_KEY,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    authCacheTtlMs: e.AUTH_CACHE_TTL_MS,
    jobLockMs: e.JOB_LOCK_MS,
    webhooks: { retentionDays: e.WEBHOOK_RETENTION_DAYS },
    channelJobs: {
      pullEveryMs: e.CHANNEL_PULL_EVERY_MS,
      reconcileEveryMs: e.CHANNEL_RECONCILE_EVERY_MS,
      stockPushIntervalMs: e.CHANNEL_STOCK_PUSH_INTERVAL_MS,
      pullPageSize: e.CHANNEL_PULL_PAGE_SIZE,
    },
    orders: {
      holdTotalAbove: e.ORDER_HOLD_TOTAL_ABOVE ?? null,
      holdOnAddressMismatch: e.ORDER_HOLD_ON_ADDRESS_MISMATCH,
    },
    sandbox: {
      // On by default in development only; off in test; production refuses it above.
      shopify: !isProduction && (e.SANDBOX_SHOPIFY ?? e.NODE_ENV === 'development'),
      orderEveryMs: e.SANDBOX_ORDER_EVERY_MS,
      shipAfterMs: e.SANDBOX_SHIP_AFTER_MS,
    },
    notifications:
      e.SMTP_URL && e.NOTIFY_FROM
        ? {
            enabled: true,
            smtpUrl: e.SMTP_URL,
            from: e.NOTIFY_FROM,
            storeName: e.NOTIFY_STORE_NAME,
            templatesDir: e.NOTIFY_TEMPLATES_DIR,
            delayedAfterMs: e.NOTIFY_DELAYED_AFTER_HOURS * 3_600_000,
          }
        : { enabled: false },
    payments: {
      captureMarginMs: e.PAYMENT_CAPTURE_MARGIN_HOURS * 3_600_000,
      scanEveryMs: e.PAYMENT_SCAN_EVERY_MS,
    },
    stripe: {
      secretKey: e.STRIPE_SECRET_KEY,
      webhookSecret: e.STRIPE_WEBHOOK_SECRET,
      apiBase: e.STRIPE_API_BASE?.replace(/\/$/, ''),
    },
    shipping: {
      easypost: e.EASYPOST_API_KEY
        ? {
            apiKey: e.EASYPOST_API_KEY,
            // The client appends paths to it: `…/v2/` + `shipments`.
            baseUrl: (e.EASYPOST_API_BASE ?? 'https://api.easypost.com/v2/').replace(/\/?$/, '/'),
            timeoutMs: e.EASYPOST_TIMEOUT_MS,
          }
        : null,
      easypostWebhookSecret: e.EASYPOST_WEBHOOK_SECRET ?? null,
    },
    amazonSqs: {
      region: e.AMAZON_SQS_REGION,
      endpoint: e.AMAZON_SQS_ENDPOINT?.replace(/\/+$/, '') ?? null,
      accessKeyId: e.AMAZON_SQS_ACCESS_KEY_ID ?? null,
      secretAccessKey: e.AMAZON_SQS_SECRET_ACCESS_KEY ?? null,
      waitSeconds: e.AMAZON_SQS_WAIT_SECONDS,
      visibilitySeconds: e.AMAZON_SQS_VISIBILITY_TIMEOUT_SECONDS,
      timeoutMs: e.AMAZON_SQS_TIMEOUT_MS,
      retryAfterSeconds: e.AMAZON_SQS_RETRY_AFTER_SECONDS,
    },
  };
}
