// Runs outside jest's module system, so it loads the compiled helpers (npm test builds first).
import { existsSync } from 'node:fs';

const support = (file) => new URL(`../../dist/test/support/${file}`, import.meta.url);

/** Starts PostgreSQL and Redis once for the whole run; test files get their own database each. */
export default async function globalSetup() {
  if (!existsSync(support('services.js')))
    throw new Error('dist/ is missing: run the tests with "npm test" (it builds first)');
  const { startTestServices } = await import(support('services.js').href);
  const { createTemplateDatabase } = await import(support('database.js').href);
  const services = await startTestServices();
  try {
    process.env.TEST_DATABASE_URL = services.databaseUrl;
    process.env.TEST_REDIS_URL = services.redisUrl;
    await createTemplateDatabase(services.databaseUrl);
  } catch (error) {
    // Jest skips the teardown when setup fails: stop the servers here.
    await services.stop();
    throw error;
  }
  globalThis.__switchyardServices = services;
}
