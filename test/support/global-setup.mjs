// Runs outside jest's module system, so it loads the compiled helpers (npm test builds first).
import { existsSync } from 'node:fs';

const compiled = new URL('../../dist/test/support/services.js', import.meta.url);

/** Starts PostgreSQL and Redis once for the whole run; test files get their own database each. */
export default async function globalSetup() {
  if (!existsSync(compiled)) throw new Error('dist/ is missing: run the tests with "npm test" (it builds first)');
  const { startTestServices } = await import(compiled.href);
  const { createTemplateDatabase } = await import(new URL('../../dist/test/support/database.js', import.meta.url).href);
  const services = await startTestServices();
  globalThis.__switchyardServices = services;
  process.env.TEST_DATABASE_URL = services.databaseUrl;
  process.env.TEST_REDIS_URL = services.redisUrl;
  await createTemplateDatabase(services.databaseUrl);
}
