import express, { type Router } from 'express';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setConsoleSecurityHeaders } from './console-security-headers.js';

/**
 * Where `npm run build` puts the console (console/vite.config.ts): dist/console, beside the
 * compiled dist/src this file runs from (or under dist/ when run from source, as in the tests).
 */
const above = fileURLToPath(new URL('../..', import.meta.url));
export const CONSOLE_BUILD_DIR = basename(above) === 'dist' ? join(above, 'console') : join(above, 'dist', 'console');

const NOT_BUILT =
  'The operator console is not built. Run `npm run build` (or `npm run console:build`) in the ' +
  'Switchyard folder and restart the hub; `npm start` builds it too.\n';

/**
 * The operator console under /console: hashed assets cached for a year, index.html never cached
 * (so a new build is picked up at once), and every other path under /console answered with
 * index.html so the app's own routes survive a reload. A missing asset stays a 404.
 */
// Vite names every built asset by its content hash, so a name never changes meaning: cached a year.
export function consoleAppRouter(buildDir: string = CONSOLE_BUILD_DIR): Router {
  const router = express.Router();
  const indexHtml = join(buildDir, 'index.html');
  router.use((req, res, next) => {
    setConsoleSecurityHeaders(req, res);
    next();
  });
  router.use(
    '/assets',
    express.static(join(buildDir, 'assets'), {
      index: false,
      fallthrough: false,
      maxAge: '1y',
      immutable: true,
    }),
    // fallthrough: false hands a missing file on as an error: answer it as a plain 404.
    ((err, _req, res, _next) => {
      res
        .status(err.status ?? 404)
        .type('text/plain')
        .send('No such console asset\n');
    }) as express.ErrorRequestHandler,
  );
  router.get('/{*path}', (_req, res) => {
    // Checked per request: a console built while the hub runs is served without a restart.
    if (!existsSync(indexHtml)) {
      res.status(503).set('Cache-Control', 'no-store').type('text/plain').send(NOT_BUILT);
      return;
    }
    res.sendFile(indexHtml, { cacheControl: false, headers: { 'Cache-Control': 'no-cache' } });
  });
  return router;
}
