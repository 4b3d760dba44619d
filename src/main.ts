#!/usr/bin/env node
import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { DomainError } from './domain/errors.js';
import type { HubRole } from './platform/hub.js';

// The server, ORM and schema load only for the command that needs them (over a second of CPU), so
// usage and configuration errors answer at once.

const USAGE = `Usage: switchyard <command>

  all                 serve the API and run the workers in one process (default; what npm start runs)
  api                 serve the API only (GraphQL over HTTP and WebSocket, health, metrics)
  worker              run the job workers only
  migrate             apply pending database migrations, then exit
  create-api-key      --role <ADMIN|OPS|SUPPORT|FINANCE|READ_ONLY|INTEGRATION> --name <text> [--channel <id>]
  create-user         --email <address> --name <text> --role <ADMIN|OPS|…> [--channel <id>] [--password-stdin]:
                      a console user; its initial password is read from standard input with
                      --password-stdin, else generated and printed once
  emit-schema [file]  write the GraphQL SDL (default: schema.graphql)
  check-invariants    check stock, ledger, reservation and order invariants; exit 1 on any violation
  seed-orders         --count <n>: add n synthetic orders (3 lines each) for benchmarks and demos
  rotate-encryption-key --new <key> [--old <key>]: re-encrypt every channel's credentials under
                      a new key in one transaction (--old defaults to SWITCHYARD_ENCRYPTION_KEY,
                      else DATA_DIR/encryption.key); rerunning it changes nothing
  simulate shopify    [--port N] [--secret S] [--token T] [--seed N] [--webhook-url U] [--order-every-ms N]:
                      run the Shopify simulator alone (optionally sending webhooks to U, placing orders)
  simulate stripe     [--port N] [--secret-key sk_test_…] [--webhook-secret whsec_…] [--webhook-url U] [--seed N]
                      [--ambiguous P]: run the Stripe simulator alone (docs/STRIPE-SIMULATOR.md)
  simulate easypost   [--port N] [--key K] [--secret S] [--webhook-url U] [--seed N]: run the EasyPost
                      simulator alone (labels and tracking; prints the EASYPOST_* settings to use it)
  simulate sqs        [--port N] [--queue NAME] [--access-key-id K] [--max-receive-count N]: run the SQS
                      stand-in for Amazon notifications (prints the AMAZON_SQS_* settings and queue URL)
  sync <channelId>    [--since <date>]: pull the channel's orders now (since its cursor, or the date),
                      in this process, with progress and a summary

Configuration comes from the environment; see .env.example.`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'all';
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === 'emit-schema') {
    const file = argv[1] ?? 'schema.graphql';
    const { buildGraphQLSchema, renderSchemaSDL } = await import('./schema/build-schema.js');
    await writeFile(file, renderSchemaSDL(await buildGraphQLSchema()));
    process.stdout.write(`wrote ${file}\n`);
    return 0;
  }
  if (command === 'simulate') {
    // A stand-alone test double for integrators: it needs no hub configuration.
    if (argv[1] === 'stripe') {
      const { simulateStripe } = await import('./connectors/stripe/simulator/simulate-command.js');
      return simulateStripe(argv.slice(2), process.stdout);
    }
    if (argv[1] === 'easypost') {
      const { simulateEasyPost } = await import('./connectors/carriers/easypost/simulator/simulate-command.js');
      return simulateEasyPost(argv.slice(2), process.stdout);
    }
    if (argv[1] === 'sqs') {
      const { simulateSqs } = await import('./connectors/amazon/simulator/simulate-sqs-command.js');
      return simulateSqs(argv.slice(2), process.stdout);
    }
    if (argv[1] !== 'shopify') {
      process.stderr.write('simulate needs a platform: switchyard simulate shopify|stripe|easypost|sqs [--port N] …\n');
      return 64;
    }
    const { simulateShopify } = await import('./connectors/shopify/simulator/simulate-command.js');
    return simulateShopify(argv.slice(2), process.stdout);
  }
  const config = loadConfig(process.env);
  switch (command) {
    case 'all':
    case 'api':
    case 'worker':
      return serve(config, command);
    case 'migrate':
      return migrate(config);
    case 'create-api-key':
      return createKey(config, argv.slice(1));
    case 'create-user':
      return createConsoleUser(config, argv.slice(1));
    case 'check-invariants':
      return invariants(config);
    case 'seed-orders':
      return seed(config, argv.slice(1));
    case 'rotate-encryption-key':
      return rotateKey(config, argv.slice(1));
    case 'sync':
      return sync(config, argv.slice(1));
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}\n`);
      return 64;
  }
}

async function serve(config: Config, role: HubRole): Promise<number> {
  const { startHub } = await import('./platform/hub.js');
  const { createLogger } = await import('./platform/logger.js');
  const logger = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  const hub = await startHub(config, role, logger);
  process.stdout.write(
    hub.migrationsCurrent
      ? `\n  Switchyard ${role} is listening on ${hub.url}\n\n`
      : `\n  Switchyard ${role} is listening on ${hub.url}, but NOT READY: run "switchyard migrate"\n\n`,
  );
  return new Promise<number>((resolve) => {
    let stoppingSince: number | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      // npm forwards the terminal's Ctrl-C, so one keypress can arrive twice: only a signal
      // more than a second after the first forces an exit.
      if (stoppingSince !== undefined && Date.now() - stoppingSince < 1_000) return;
      if (stoppingSince !== undefined) {
        logger.warn({ signal }, 'second signal: exiting now');
        resolve(1);
        return;
      }
      stoppingSince = Date.now();
      logger.info({ signal }, 'signal received, stopping gracefully');
      // Past the deadline something is stuck; exit anyway (jobs in hand are rerun elsewhere).
      setTimeout(() => resolve(1), config.shutdownDelayMs + config.shutdownTimeoutMs + 3_000).unref();
      hub.stop().then(
        () => resolve(0),
        (err: Error) => {
          logger.error({ err }, 'error during shutdown');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function migrate(config: Config): Promise<number> {
  const { createOrm, runPendingMigrations } = await import('./platform/database.js');
  const orm = await createOrm(config.database);
  try {
    const applied = await runPendingMigrations(orm);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    return 0;
  } finally {
    await orm.close(true);
  }
}

async function invariants(config: Config): Promise<number> {
  const { createOrm } = await import('./platform/database.js');
  const { checkInvariants, INVARIANT_NAMES } = await import('./domain/invariants/invariants.js');
  const orm = await createOrm(config.database);
  try {
    const violations = await checkInvariants(orm.em.fork());
    for (const name of INVARIANT_NAMES) {
      const v = violations.find((x) => x.invariant === name);
      process.stdout.write(
        `${v ? 'FAIL' : 'ok  '}  ${name}\n${v ? v.problems.map((p) => `        ${p}\n`).join('') : ''}`,
      );
    }
    return violations.length === 0 ? 0 : 1;
  } finally {
    await orm.close(true);
  }
}

async function seed(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { count: { type: 'string' } }, strict: true });
  const count = Number(values.count);
  if (!values.count || !Number.isInteger(count) || count < 1) {
    process.stderr.write('seed-orders needs --count <n>, e.g. --count 1000000\n');
    return 64;
  }
  const { createOrm } = await import('./platform/database.js');
  const { progressBar, seedOrders } = await import('./platform/seed/seed-orders.js');
  const orm = await createOrm(config.database);
  try {
    const started = Date.now();
    await seedOrders(orm, count, (p) => process.stderr.write(`\r${progressBar(p)}`));
    process.stderr.write(
      `\nseeded ${count.toLocaleString('en')} orders in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  } finally {
    await orm.close(true);
  }
}

async function sync(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { since: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const channelId = positionals[0];
  const since = values.since ? new Date(values.since) : undefined;
  if (!channelId || positionals.length > 1 || (since && Number.isNaN(since.getTime()))) {
    process.stderr.write('sync needs a channel id and takes --since <date>, e.g. sync shopify-eu --since 2026-11-01\n');
    return 64;
  }
  const { createOrm } = await import('./platform/database.js');
  const { createLogger } = await import('./platform/logger.js');
  const { loadOrCreateEmbeddedKey } = await import('./config/embedded-encryption-key.js');
  const { backfillChannel, syncProgressLine } = await import('./jobs/channel-sync.js');
  const { platformConnectorSource } = await import('./jobs/channel-connectors.js');
  const orm = await createOrm(config.database);
  try {
    const key = config.encryptionKey ?? (await loadOrCreateEmbeddedKey(config.dataDir));
    const started = Date.now();
    const summary = await backfillChannel(
      orm.em.fork(),
      { connectors: platformConnectorSource(key), ingest: { policy: config.orders }, logger: createLogger('warn') },
      channelId,
      since,
      (p) => void process.stderr.write(`\r${syncProgressLine(p, Date.now() - started)}`),
    );
    process.stderr.write(
      `\nsynced ${channelId} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${summary.pulled} pulled, ` +
        `${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.held} held\n`,
    );
    return 0;
  } finally {
    await orm.close(true);
  }
}

async function createKey(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { role: { type: 'string' }, name: { type: 'string' }, channel: { type: 'string' } },
    strict: true,
  });
  if (!values.role || !values.name) {
    process.stderr.write('create-api-key needs --role and --name, e.g. --role admin --name "ops laptop"\n');
    return 64;
  }
  const { createOrm } = await import('./platform/database.js');
  const { createLogger } = await import('./platform/logger.js');
  const { createApiKey } = await import('./domain/auth/api-key.service.js');
  const { SYSTEM_PRINCIPAL } = await import('./domain/auth/principal.js');
  const orm = await createOrm(config.database);
  try {
    const logger = createLogger('warn');
    const { apiKey, token } = await createApiKey(
      { actor: SYSTEM_PRINCIPAL, requestId: 'cli', em: orm.em.fork(), logger },
      // The role as the schema names it (READ_ONLY) or as it is stored (read_only).
      { name: values.name, role: values.role.toLowerCase(), channelId: values.channel ?? null },
    );
    process.stdout.write(`created ${apiKey.role} key ${apiKey.prefix} (${apiKey.id}); shown only once:\n${token}\n`);
    return 0;
  } finally {
    await orm.close(true);
  }
}

async function createConsoleUser(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      channel: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
    strict: true,
  });
  if (!values.email || !values.name || !values.role) {
    process.stderr.write(
      'create-user needs --email, --name and --role, e.g. --email ada@example.com --name Ada --role ops\n',
    );
    return 64;
  }
  const { randomBytes } = await import('node:crypto');
  // Never from the command line (it would show in `ps` and the shell's history).
  const given = values['password-stdin'] ? (await readStdin()).replace(/\r?\n$/, '') : null;
  const password = given ?? randomBytes(18).toString('base64url');
  const { createOrm } = await import('./platform/database.js');
  const { createLogger } = await import('./platform/logger.js');
  const { createUser } = await import('./domain/users/user.service.js');
  const { DomainError } = await import('./domain/errors.js');
  const { SYSTEM_PRINCIPAL } = await import('./domain/auth/principal.js');
  const orm = await createOrm(config.database);
  try {
    const user = await createUser(
      { actor: SYSTEM_PRINCIPAL, requestId: 'cli', em: orm.em.fork(), logger: createLogger('warn') },
      { email: values.email, name: values.name, role: values.role, channelId: values.channel ?? null, password },
    );
    process.stdout.write(`created ${user.role} user ${user.email} (${user.id})\n`);
    if (!given) process.stdout.write(`initial password, shown only once:\n${password}\n`);
    if (user.role === 'admin')
      process.stdout.write(
        'admins must use two-factor sign-in: the first session can only enrol an authenticator app\n',
      );
    return 0;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    process.stderr.write(`create-user: ${error.message}\n`);
    return 65;
  } finally {
    await orm.close(true);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function rotateKey(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { old: { type: 'string' }, new: { type: 'string' } }, strict: true });
  const { decodeKey } = await import('./config/config.js');
  const { readEmbeddedKey } = await import('./config/embedded-encryption-key.js');
  const newKey = values.new ? decodeKey(values.new) : undefined;
  const oldKey = values.old ? decodeKey(values.old) : (config.encryptionKey ?? (await readEmbeddedKey(config.dataDir)));
  if (!newKey || !oldKey) {
    process.stderr.write(
      'rotate-encryption-key needs --new <key> and the current key (--old <key> or SWITCHYARD_ENCRYPTION_KEY); ' +
        'keys are 32 bytes as 64 hex characters or base64 (openssl rand -base64 32)\n',
    );
    return 64;
  }
  const { createOrm } = await import('./platform/database.js');
  const { rotateEncryptionKey } = await import('./domain/channels/rotate-encryption-key.js');
  const orm = await createOrm(config.database);
  try {
    const r = await rotateEncryptionKey(orm.em.fork(), oldKey, newKey);
    process.stdout.write(
      `re-encrypted ${r.rotated} channel(s) from key ${r.oldKeyId} to key ${r.newKeyId}; ${r.skipped} already under ${r.newKeyId}\n` +
        `re-encrypted ${r.totpSecrets.rotated} two-factor secret(s); ${r.totpSecrets.skipped} already under ${r.newKeyId}\n` +
        'now set SWITCHYARD_ENCRYPTION_KEY to the new key and restart every process\n',
    );
    return 0;
  } finally {
    await orm.close(true);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof DomainError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`switchyard failed to start: ${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  },
);
